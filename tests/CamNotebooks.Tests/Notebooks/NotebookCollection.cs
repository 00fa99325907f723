namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Tests that execute notebooks in the project's runner (and the book and the live loop, which start it), one at a time.
/// With <see cref="StockKernelCollection"/> it forms one of two lanes of notebook work that run side by side: a kernel
/// spends most of its time starting and compiling cells on one thread, so two lanes keep both cores busy.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NotebookCollection
{
    public const string Name = "Notebooks";
}

/// <summary>Tests that execute notebooks in the stock kernels (dotnet-repl, Jupyter), one at a time, beside <see cref="NotebookCollection"/>.</summary>
[CollectionDefinition(Name)]
public sealed class StockKernelCollection
{
    public const string Name = "Stock kernels";
}

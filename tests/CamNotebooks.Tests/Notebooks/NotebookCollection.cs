namespace CamNotebooks.Tests.Notebooks;

/// <summary>Notebook runs share the machine's two cores: run them one at a time, beside the unit tests.</summary>
[CollectionDefinition(Name)]
public sealed class NotebookCollection
{
    public const string Name = "Notebooks";
}

using System.Diagnostics;
using Executed = CamNotebooks.Book.Notebooks.ExecutedNotebook;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Stopping the runner while TorchSharp works on both cores (issue 21, item 4): it used to end in a segmentation fault
/// (exit 139) when SIGTERM, SIGINT or --cell-timeout left a libtorch cell running while the process exited.
/// </summary>
[Collection(NotebookCollection.Name)]
public class TorchStopTests
{
    /// <summary>A notebook that loads the library (by absolute path) and then multiplies matrices on every core until stopped.</summary>
    private static string TorchNotebook()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-torch-stop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string setup = Path.Combine(Repository.Root, "artifacts", "notebook-lib", "setup.csx");
        string path = Path.Combine(folder, "torch_forever.dib");
        File.WriteAllText(path,
            "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"},{\"aliases\":[],\"name\":\"markdown\"}]}}\n\n" +
            $"#!csharp\n\n#!import {setup}\n\n" +
            "#!csharp\n\ntorch.set_num_threads(2);\nConsole.WriteLine(\"ready\");\n\n" +
            "#!csharp\n\nwhile (true) { using var a = torch.randn(700, 700); using var b = a.matmul(a); }\n");
        return path;
    }

    private static async Task<(int ExitCode, string Output, string Errors)> StopAsync(string notebook, string output, string? signal, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var a in (string[])["exec", Repository.RunnerAssembly, "run", notebook, "--output", output, .. options]) start.ArgumentList.Add(a);
        using var runner = Process.Start(start)!;
        var stderr = runner.StandardError.ReadToEndAsync();
        var seen = new System.Text.StringBuilder();
        string? line;
        // The set-up cell: the cell that prints "ready" and the endless products follow at once.
        while ((line = await runner.StandardOutput.ReadLineAsync()) is not null && !line.Contains("cell 1 ok")) seen.AppendLine(line);
        Assert.True(line is not null, $"the runner ended early:\n{seen}\n{await stderr}");
        if (signal is not null)
        {
            await Task.Delay(10000); // let the matrix products run on both cores
            Process.Start("kill", ["-" + signal, runner.Id.ToString()])!.WaitForExit();
        }
        var rest = runner.StandardOutput.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            await runner.WaitForExitAsync(deadline.Token);
        return (runner.ExitCode, seen + await rest, await stderr);
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task A_signal_during_torch_work_exits_with_the_signals_code_and_writes_the_finished_cells(string signal, int exitCode)
    {
        string notebook = TorchNotebook();
        string output = Path.Combine(Path.GetDirectoryName(notebook)!, "out");
        var (code, stdout, errors) = await StopAsync(notebook, output, signal);
        Assert.True(code == exitCode, $"exit {code} (139 is a segmentation fault)\n{stdout}\n{errors}");
        var cells = Executed.Load(Path.Combine(output, "torch_forever.ipynb")).Cells;
        Assert.Contains(cells.SelectMany(c => c.Outputs), o => o is CamNotebooks.Book.Notebooks.StreamOutput s && s.Text.Contains("ready"));
    }

    [Fact]
    public async Task A_cell_timeout_during_torch_work_is_a_failure_not_a_crash()
    {
        string notebook = TorchNotebook();
        string output = Path.Combine(Path.GetDirectoryName(notebook)!, "out");
        var (code, stdout, errors) = await StopAsync(notebook, output, signal: null, "--cell-timeout", "30");
        Assert.True(code == 1, $"exit {code} (139 is a segmentation fault)\n{stdout}\n{errors}");
        Assert.Contains("did not finish within 30 s", errors);
        Assert.True(File.Exists(Path.Combine(output, "torch_forever.ipynb")));
    }
}

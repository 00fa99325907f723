using System.Diagnostics;
using CamNotebooks.Book.Notebooks;
using Executed = CamNotebooks.Book.Notebooks.ExecutedNotebook;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// The runner when a notebook misbehaves or the runner is stopped (issue 14, items 5 and 7): it always reports a
/// failure, and always writes the cells that finished.
/// </summary>
[Collection(NotebookCollection.Name)]
public class RunnerFaultTests
{
    private static string Fixture(string name) => Path.Combine(Repository.Root, "tests", "CamNotebooks.Tests", "Notebooks", "Fixtures", name);

    private static string FreshOutput()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-runner-faults-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static IReadOnlyList<NotebookCell> Cells(string ipynb) => Executed.Load(ipynb).Cells;

    /// <summary>Every output of the cell as text (stream text, displayed values, error messages), one per line.</summary>
    private static string Outputs(NotebookCell cell) => string.Join("\n", cell.Outputs.Select(output => output switch
    {
        StreamOutput stream => stream.Text,
        DisplayOutput display => string.Join("\n", display.Data.Values),
        ErrorOutput error => $"{error.Name}: {error.Message}",
        _ => output.ToString(),
    }));

    [Fact]
    public void A_cell_that_ends_the_process_is_a_failure_and_the_finished_cells_are_written()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture("exits-in-cell-2.dib"));
        Assert.True(outcome.ExitCode == 1, outcome.ToString()); // was: exit 0 and no .ipynb
        Assert.Contains("exits-in-cell-2.dib: cell 2 failed", outcome.StandardError);
        Assert.Contains("ended the runner process", outcome.StandardError);
        var cells = Cells(Path.Combine(output, "exits-in-cell-2.ipynb"));
        Assert.Contains("cell 1 finished", Outputs(cells[0]));
        Assert.Contains("ended the runner process", Outputs(cells[1]));
        Assert.Empty(cells[2].Outputs);
    }

    [Fact]
    public void A_cell_that_never_ends_times_out_and_the_next_notebook_still_runs()
    {
        string output = FreshOutput();
        var clock = Stopwatch.StartNew();
        var outcome = ProcessRunner.Run("dotnet",
            ["exec", Repository.RunnerAssembly, "run", Fixture("spins-in-cell-2.dib"), Fixture("passes.dib"), "--output", output, "--cell-timeout", "30"],
            Repository.Root, TimeSpan.FromMinutes(5)); // was: hung for ever. 30 s: the first cell warms the compiler up, slow on a busy machine
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Contains("spins-in-cell-2.dib: cell 2 failed", outcome.StandardError);
        Assert.Contains("did not finish within 30 s", outcome.StandardError);
        Assert.Contains("1 notebooks passed, 1 failed", outcome.StandardOutput);
        Assert.Contains("cell 1 finished", Outputs(Cells(Path.Combine(output, "spins-in-cell-2.ipynb"))[0]));
        Assert.True(File.Exists(Path.Combine(output, "passes.ipynb")));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task A_signal_writes_the_finished_cells_before_the_runner_exits(string signal, int exitCode)
    {
        string output = FreshOutput();
        // Was (run as a background job, SIGINT ignored): the INT case's runner went on to the end (exit 0).
        var start = ProcessRunner.SignalableStart("dotnet", ["exec", Repository.RunnerAssembly, "run", Fixture("sleeps-in-cell-2.dib"), "--output", output], Repository.Root);
        using var runner = Process.Start(start)!;
        var stderr = runner.StandardError.ReadToEndAsync();
        string? line;
        while ((line = runner.StandardOutput.ReadLine()) is not null && !line.Contains("cell 1 ok")) { }
        Assert.NotNull(line);
        Thread.Sleep(500); // let cell 2 begin
        Process.Start("kill", ["-" + signal, runner.Id.ToString()])!.WaitForExit();
        var rest = runner.StandardOutput.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
            await runner.WaitForExitAsync(deadline.Token); // throws when the runner does not stop
        string errors = await stderr;
        Assert.True(runner.ExitCode == exitCode, $"exit {runner.ExitCode}\n{await rest}\n{errors}");
        var cells = Cells(Path.Combine(output, "sleeps-in-cell-2.ipynb")); // was: nothing written
        Assert.Contains("cell 1 finished", Outputs(cells[0]));
        Assert.Contains($"SIG{signal}", Outputs(cells[1]));
        Assert.Contains($"SIG{signal}", errors);
    }

    [Fact]
    public void An_output_path_that_cannot_be_a_folder_is_refused_before_any_notebook_runs()
    {
        string blocker = Path.Combine(FreshOutput(), "a-file");
        File.WriteAllText(blocker, "not a folder");
        var outcome = ProcessRunner.RunNotebooks(blocker, Fixture("passes.dib"), Fixture("throws-in-cell-3.dib"));
        Assert.True(outcome.ExitCode == 2, outcome.ToString()); // was: exit 134 after the first notebook ran
        Assert.Contains($"cannot write the executed notebooks to {blocker}", outcome.StandardError);
        Assert.DoesNotContain("running", outcome.StandardOutput);
    }

    [Fact]
    public void A_read_only_output_folder_is_refused_before_any_notebook_runs()
    {
        if (!OperatingSystem.IsLinux()) return;
        string parent = FreshOutput();
        string output = Path.Combine(parent, "read-only");
        Directory.CreateDirectory(output);
        File.SetUnixFileMode(output, (UnixFileMode)0b101_101_101);
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_111_111);
        // As root every folder is writable: run the runner as "nobody" then, for whom the mode applies.
        bool root = Environment.UserName == "root";
        string[] command = ["exec", Repository.RunnerAssembly, "run", Fixture("passes.dib"), "--output", output];
        var outcome = root
            ? ProcessRunner.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "env", $"HOME={parent}", $"DOTNET_CLI_HOME={parent}", "dotnet", .. command], parent, TimeSpan.FromMinutes(2))
            : ProcessRunner.Run("dotnet", command, parent, TimeSpan.FromMinutes(2));
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"cannot write the executed notebooks to {output}", outcome.StandardError);
        Assert.DoesNotContain("running", outcome.StandardOutput);
    }

    [Fact]
    public void A_background_thread_that_throws_fails_the_notebook_and_the_ipynb_is_written()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture("throws-on-a-thread.dib"), Fixture("passes.dib"));
        Assert.True(outcome.ExitCode == 1, outcome.ToString()); // was: exit 134, no .ipynb
        Assert.Contains("throws-on-a-thread.dib: cell 2 failed", outcome.StandardError);
        Assert.Contains("thrown on a background thread", outcome.StandardError);
        var cells = Cells(Path.Combine(output, "throws-on-a-thread.ipynb"));
        Assert.Contains("cell 1 finished", Outputs(cells[0]));
        Assert.Contains("thrown on a background thread", Outputs(cells[1]));
        Assert.True(File.Exists(Path.Combine(output, "passes.ipynb")), "the next notebook was not attempted");
    }
}

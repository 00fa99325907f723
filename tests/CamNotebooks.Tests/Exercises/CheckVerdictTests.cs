using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Exercises;

/// <summary>
/// The runner reports each exercise check's verdict after the notebook (issue 21, item 5): it used to print
/// "1 notebooks passed, 0 failed" for a wrong answer whose check showed ✘, and nothing of the check at all.
/// </summary>
[Collection(NotebookCollection.Name)]
public class CheckVerdictTests
{
    /// <summary>
    /// Exercise 1 answered wrongly (Dispose forgets to unregister the hook), as a learner would save it, in a folder outside
    /// the repository: the set-up line names the library by its absolute path.
    /// </summary>
    private static string WrongAnswer()
    {
        string solution = File.ReadAllText(Path.Combine(Repository.Notebooks, "exercises", "solutions", "01_forward_hook.dib"));
        string setup = Path.Combine(Repository.Root, "artifacts", "notebook-lib", "setup.csx");
        string wrong = solution
            .Replace("#!import ../../../artifacts/notebook-lib/setup.csx", $"#!import {setup}", StringComparison.Ordinal)
            .Replace("        _remove();\n", "", StringComparison.Ordinal);
        Assert.DoesNotContain("../artifacts", wrong);
        Assert.DoesNotContain("_remove()", wrong); // Dispose no longer unregisters the hook
        string folder = Path.Combine(Path.GetTempPath(), "camnb-verdicts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "01_forward_hook.dib");
        File.WriteAllText(path, wrong);
        return path;
    }

    private static ProcessRunner.Outcome Run(string notebook, string output, params string[] options) =>
        ProcessRunner.Run("dotnet", ["exec", Repository.RunnerAssembly, "run", notebook, "--output", output, .. options],
            Repository.Root, TimeSpan.FromMinutes(10));

    [Fact]
    public void A_wrong_answer_is_reported_with_its_unmet_criteria_and_require_checks_fails_the_run()
    {
        string notebook = WrongAnswer();
        string output = Path.Combine(Path.GetDirectoryName(notebook)!, "out");

        var reported = Run(notebook, output);
        Assert.True(reported.ExitCode == 0, reported.ToString()); // a check never fails a notebook by itself
        Assert.Matches(@"check \(cell 8\): Exercise 1: a forward hook: ✘ \d+ of \d+ criteria met", reported.StandardOutput);
        Assert.Contains("✘ ", reported.StandardOutput.Split("criteria met")[1]);
        Assert.Contains("[hook-not-removed]", reported.StandardOutput);
        Assert.Contains("hint:", reported.StandardOutput);
        Assert.Contains("exercise checks: 0 passed, 1 not passed, 0 not yet implemented (reported only; --require-checks makes them fail the run).",
            reported.StandardOutput);

        var required = Run(notebook, output, "--require-checks");
        Assert.True(required.ExitCode == 1, required.ToString());
        Assert.Contains("0 notebooks passed, 1 failed", required.StandardOutput);
        Assert.Contains("error: 01_forward_hook.dib: cell 8 failed ('var result = Check.ForwardHook(layer => new MyHook(layer));'): " +
                        "the exercise check did not pass (--require-checks): Exercise 1: a forward hook: ✘", required.StandardError);
    }

    [Fact]
    public void An_unsolved_exercise_is_reported_as_not_yet_implemented_and_a_solution_as_all_criteria_met()
    {
        string output = Path.Combine(Path.GetTempPath(), "camnb-verdicts-" + Guid.NewGuid().ToString("N"));
        var outcome = Run(Path.Combine(Repository.Notebooks, "exercises", "02_cam.dib"), output, "--require-checks");
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Contains("check (cell 8): Exercise 2: the class activation map: … not yet implemented", outcome.StandardOutput);
        Assert.Contains("exercise checks: 0 passed, 0 not passed, 1 not yet implemented.", outcome.StandardOutput);

        var solved = Run(Path.Combine(Repository.Notebooks, "exercises", "solutions", "02_cam.dib"), output, "--require-checks");
        Assert.True(solved.ExitCode == 0, solved.ToString());
        Assert.Matches(@"check \(cell 8\): Exercise 2: the class activation map: ✔ (\d+) of \1 criteria met", solved.StandardOutput);
        Assert.Contains("exercise checks: 1 passed, 0 not passed, 0 not yet implemented.", solved.StandardOutput);
    }
}

using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Exercises;

/// <summary>
/// The exercise notebooks run headless without their answers and their checks say "not yet implemented" (never an
/// error); the solution notebooks' checks pass. Read from the outputs of the runs NotebookRunTests also uses.
/// </summary>
[Collection(NotebookCollection.Name)]
public class ExerciseNotebookTests
{
    public static TheoryData<string> Exercises => new()
    {
        "01_forward_hook.dib", "02_cam.dib", "03_backward_hook.dib", "04_grad_cam.dib", "05_overlay.dib", "06_keepdim.dib", "07_from_scratch.dib", "08_cam_for_text.dib",
    };

    [Theory]
    [MemberData(nameof(Exercises))]
    public void Unsolved_exercise_runs_and_its_check_reports_not_yet_implemented(string notebook)
    {
        var executed = ExecutedNotebook.Get("exercises/" + notebook);
        Assert.True(executed.Outcome.ExitCode == 0, executed.Outcome.ToString());
        Assert.All(executed.Cells, cell => Assert.Empty(cell.Errors));
        executed.Find(@": … not yet implemented");
        executed.Find(@"✘ .*\[not-implemented\]");
        executed.Find(@"What this check will test:\n(\s+• .+\n){3,}");
        Assert.DoesNotContain("PASSED", executed.AllText());
        executed.Find(@"will appear here once the check passes|will be described here once the check passes");
        Assert.Matches(@"check \(cell \d+\): Exercise \d: .*: … not yet implemented", executed.Outcome.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(Exercises))]
    public void Solution_notebook_passes_its_check(string notebook)
    {
        var executed = ExecutedNotebook.Get("exercises/solutions/" + notebook);
        Assert.True(executed.Outcome.ExitCode == 0, executed.Outcome.ToString()); // run with --require-checks (ExecutedNotebook.IsSolution)
        Assert.Matches(@"check \(cell \d+\): Exercise \d: .*: ✔ (\d+) of \1 criteria met", executed.Outcome.StandardOutput);
        executed.Find(@"^Exercise \d: .*: ✔ PASSED");
        Assert.DoesNotContain("✘", executed.AllText());
        Assert.DoesNotContain("once the check passes", executed.AllText());
    }

    [Theory]
    [MemberData(nameof(Exercises))]
    public void Starting_cell_gives_nothing_away_and_solution_differs_only_in_the_answer(string notebook)
    {
        string exercise = File.ReadAllText(Path.Combine(Repository.Notebooks, "exercises", notebook));
        string solution = File.ReadAllText(Path.Combine(Repository.Notebooks, "exercises", "solutions", notebook));
        var exerciseCells = exercise.Split("\n#!");
        var solutionCells = solution.Split("\n#!");
        Assert.Equal(exerciseCells.Length, solutionCells.Length);
        var differing = exerciseCells.Zip(solutionCells).Where(p => p.First != p.Second).ToList();
        // The title, the first cell's library path, the closing links and the answer cell.
        Assert.InRange(differing.Count, 3, 4);
        // The answer cell: a stub that throws, or (the capstone) nothing but comments.
        static bool OnlyComments(string cell) => cell.Split('\n').Skip(1).All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith("//"));
        Assert.Contains(differing, p => (p.First.Contains("throw new NotImplementedException()") || OnlyComments(p.First))
                                        && !p.Second.Contains("NotImplementedException") && !OnlyComments(p.Second));
        Assert.DoesNotContain("einsum(\"ck", exercise);
        Assert.DoesNotContain("register_forward_hook(", exercise.Split("## Your task")[1].Split("#!markdown")[1]);
    }

    /// <summary>The capstone's solution passes in the stock kernel too (dotnet-repl finds the types a cell declares).</summary>
    [Fact]
    public void Capstone_solution_passes_in_dotnet_repl()
    {
        var run = StockKernelRun.Get("exercises/solutions/07_from_scratch.dib");
        Assert.True(run.Outcome.ExitCode == 0, run.Outcome.ToString());
        // The outputs only (the cells' sources contain the "once the check passes" fallback text): text, MIME types and values.
        string executed = string.Join("\n", run.Cells
            .SelectMany(cell => cell.Texts.Concat(cell.Outputs.Select(o => $"{o.Mime}\n{o.Data}")).Concat(cell.Errors)));
        Assert.Contains("Exercise 7: everything from scratch", executed);
        Assert.Contains("image/png", executed); // the closing cell drew the learner's overlays
        Assert.Contains("PASSED", executed);
        Assert.DoesNotContain("criteria not met", executed);
        Assert.DoesNotContain("once the check passes", executed);
    }
}

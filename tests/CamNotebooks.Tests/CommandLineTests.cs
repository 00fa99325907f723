using CamNotebooks.Tests.Book;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests;

/// <summary>
/// The three programs' command lines (System.CommandLine), run as the user runs them, in a child process: <c>--help</c>
/// lists every option with its default, and a mistyped option or value is refused with a clear message and exit code 2
/// before anything runs.
/// </summary>
public class CommandLineTests
{
    public static TheoryData<string, string[], string[]> HelpPages => new()
    {
        { "runner", ["--help"], ["run <notebook.dib | folder>", "Exit code: 0 when every cell passed"] },
        { "runner", ["run", "--help"], ["-o, --output <folder> (REQUIRED)", "--passes <N>", "[default: 1]", "--rerun-reverse", "--cell-timeout <S>", "[default: 1200]"] },
        { "book", ["--help"], ["build", "ipynb <notebook.dib | folder>", "live <notebook.dib>"] },
        { "book", ["build", "--help"], ["--notebooks <folder>", "[default: notebooks]", "--output <folder>", "[default: out/book]", "--cache <folder>",
            "--root <folder>", "--runner <dll>", "--title <text>", "[default: CamNotebooks]", "--timeout <N>", "[default: 30]"] },
        { "book", ["ipynb", "--help"], ["--force", "[default: notebooks]"] },
        { "book", ["live", "--help"], ["--port <N>", "[default: 5175]"] },
        { "bench", ["--help"], ["model", "measure", "speed", "pipeline"] },
        { "bench", ["model", "--help"], ["--runs <N>", "[default: 10]", "--threads <N,M>", "[default: 1,2]", "--onnx-dir <DIR>"] },
        { "bench", ["measure", "--help"], ["--images <N>", "--faithfulness-images <N>", "[default: 24]", "--threads <N>"] },
        { "bench", ["speed", "--help"], ["--runs <N>", "[default: 15]", "--threads <N>", "--iterations <N>", "[default: 1000]"] },
        { "bench", ["pipeline", "--help"], ["--threads <N>"] },
    };

    [Theory]
    [MemberData(nameof(HelpPages))]
    public void Help_lists_every_option_with_its_default(string program, string[] arguments, string[] expected)
    {
        var outcome = Run(program, arguments);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        foreach (string text in expected) Assert.Contains(text, outcome.StandardOutput);
        Assert.Equal("", outcome.StandardError);
    }

    public static TheoryData<string, string[], string> BadCommandLines => new()
    {
        { "runner", [], "Required command was not provided." },
        { "runner", ["run", "x.dib", "--output", "{output}", "--frob"], "Unrecognized option '--frob'." },
        { "runner", ["run", "x.dib"], "Option '--output' is required." },
        { "runner", ["run", "x.dib", "--output", "{output}", "--passes", "0"], "--passes takes a positive whole number, not '0'." },
        { "runner", ["run", "x.dib", "--output", "{output}", "--cell-timeout", "soon"], "--cell-timeout takes a positive number of seconds, not 'soon'." },
        { "book", ["build", "--output", "{output}", "--frob"], "Unrecognized command or argument '--frob'." },
        { "book", ["ipynb", "--frob"], "Unrecognized option '--frob'." },
        { "bench", ["speed", "--frob"], "Unrecognized command or argument '--frob'." },
        { "bench", ["speed", "--runs", "many"], "--runs takes a positive whole number, not 'many'." },
        { "bench", ["model", "--threads", "1,0"], "--threads takes a positive whole number, not '0'." },
        { "bench", ["pipeline", "--images", "3"], "Unrecognized command or argument '--images'." },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public void A_bad_command_line_is_refused_with_a_clear_message_and_exit_code_2_before_anything_runs(string program, string[] arguments, string message)
    {
        string output = Path.Combine(Path.GetTempPath(), "camnb-cli-" + Guid.NewGuid().ToString("N"));
        var outcome = Run(program, arguments.Select(a => a.Replace("{output}", output)).ToArray());
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"error: {message}", outcome.StandardError);
        Assert.Contains("--help' for the commands and options.", outcome.StandardError);
        Assert.False(Path.Exists(output), "nothing may be written before the command line is accepted");
    }

    [Fact]
    public void A_default_the_help_names_is_the_value_the_program_uses()
    {
        // bench model's --threads default (1,2) once parsed as an empty list: the benchmark printed its header and no rows.
        var outcome = Run("bench", ["model", "--runs", "1"]);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var rows = outcome.StandardOutput.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length > 2 && int.TryParse(cells[0], out _) && int.TryParse(cells[1], out _)).ToList();
        Assert.Equal(["1 1", "1 16", "2 1", "2 16"], rows.Select(cells => $"{cells[0]} {cells[1]}"));
    }

    private static ProcessRunner.Outcome Run(string program, string[] arguments)
    {
        string assembly = program switch
        {
            "runner" => Repository.RunnerAssembly,
            "book" => BookFixtures.BookAssembly,
            "bench" => Repository.BenchAssembly,
            _ => throw new ArgumentOutOfRangeException(nameof(program)),
        };
        return ProcessRunner.Run("dotnet", ["exec", assembly, .. arguments], Path.GetTempPath(), TimeSpan.FromMinutes(2));
    }
}

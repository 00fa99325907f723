using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace CamNotebooks.Tools;

// One implementation, linked into CamNotebooks.Runner and CamNotebooks.Bench (see their .csproj); the book uses the
// runner's (InternalsVisibleTo).

/// <summary>
/// How every CamNotebooks program runs its System.CommandLine command: bad input prints <c>error: ...</c> lines and where
/// the help is, and exits with <see cref="BadInput"/>; <c>--help</c> prints the generated help. The library's own Ctrl+C
/// handling and exception handler are off: the runner and the book handle SIGTERM/SIGINT themselves, and a crash stays a crash.
/// </summary>
internal static class CommandLineTool
{
    /// <summary>The exit code for a command line or an input that cannot be used.</summary>
    public const int BadInput = 2;

    /// <summary>One value per occurrence, any number of occurrences (the parsers keep the last).</summary>
    public static readonly ArgumentArity LastOneCounts = ArgumentArity.OneOrMore;

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command's action.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        // No response files: a notebook path may start with '@'.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var problem in parsed.Errors) error.WriteLine($"error: {problem.Message}");
            return Refuse(parsed, error, message: null);
        }
        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        });
    }

    /// <summary>Reports input the parser accepted but the command cannot use (a missing folder...); returns <see cref="BadInput"/>.</summary>
    public static int Refuse(ParseResult parsed, TextWriter error, string? message)
    {
        if (message is not null) error.WriteLine($"error: {message}");
        var names = new List<string>();
        for (SymbolResult? result = parsed.CommandResult; result is not null; result = result.Parent)
            if (result is CommandResult command) names.Insert(0, command.Command is RootCommand ? parsed.RootCommandResult.Command.Name : command.Command.Name);
        error.WriteLine($"See '{string.Join(' ', names)} --help' for the commands and options.");
        return BadInput;
    }

    /// <summary>
    /// An option that takes one value; given twice, the last one counts (<c>build ... --output a --output b</c> writes to b),
    /// so a script can append an option to a command line that already has it.
    /// </summary>
    public static Option<string> Text(string name, string description, string helpName, string? defaultValue = null, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            HelpName = helpName,
            Arity = LastOneCounts,
            DefaultValueFactory = defaultValue is null ? null : _ => defaultValue,
            CustomParser = result => result.Tokens[^1].Value,
        };

    /// <summary>An option that takes one positive number; anything else is refused with "<c>NAME takes a positive WHAT, not 'TEXT'.</c>"</summary>
    /// <param name="name">The option's name, e.g. <c>--passes</c>.</param>
    /// <param name="what">What the number counts, e.g. "whole number" or "number of minutes".</param>
    /// <param name="description">The help text.</param>
    /// <param name="defaultValue">The value when the option is absent; null: no default (ask <see cref="ValueOrNull"/>).</param>
    public static Option<T> Positive<T>(string name, string what, string description, T? defaultValue = null) where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            Arity = LastOneCounts,
            DefaultValueFactory = defaultValue is { } value ? _ => value : null,
            CustomParser = result => ParsePositive<T>(result, name, what, result.Tokens[^1].Value),
        };

    /// <summary>An option that takes a comma-separated list of positive whole numbers, e.g. <c>--threads 1,2</c>; an empty array when absent.</summary>
    public static Option<int[]> PositiveList(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "N,M",
            Arity = LastOneCounts,
            CustomParser = result => result.Tokens[^1].Value.Split(',')
                .Select(text => ParsePositive<int>(result, name, "whole number", text)).ToArray(),
        };

    /// <summary>
    /// Refuses a token that looks like an option (<c>-x</c>, <c>--xyz</c>) but names neither an option nor an existing file:
    /// without this, an argument that takes many values would swallow a mistyped option as one more path.
    /// </summary>
    public static Argument<string[]> RejectingUnknownOptions(this Argument<string[]> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.StartsWith('-') && !File.Exists(token.Value) && !Directory.Exists(token.Value))
                    result.AddError($"Unrecognized option '{token.Value}'.");
        });
        return argument;
    }

    /// <summary>The option's value when it was given on the command line; null when it was not.</summary>
    public static T? ValueOrNull<T>(this ParseResult parsed, Option<T> option) where T : struct =>
        parsed.GetResult(option) is { Implicit: false } ? parsed.GetValue(option) : null;

    private static T ParsePositive<T>(ArgumentResult result, string name, string what, string text) where T : struct, INumber<T>
    {
        if (T.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > T.Zero) return value;
        result.AddError($"{name} takes a positive {what}, not '{text}'.");
        return T.Zero;
    }
}

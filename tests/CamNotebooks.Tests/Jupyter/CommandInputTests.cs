using System.Net;
using System.Net.Sockets;
using CamNotebooks.Book;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Jupyter;

/// <summary>The ipynb and live commands on bad input: a clear message and exit code 2, and never a learner's work overwritten.</summary>
[Collection(StockKernelCollection.Name)]
public class CommandInputTests
{
    private static readonly string Fixture = Path.Combine(Repository.Root, "tests", "CamNotebooks.Tests", "Live", "Fixtures", "live_fixture.dib");

    [Fact]
    public async Task Ipynb_writes_beside_the_dib_and_keeps_an_existing_ipynb_unless_forced()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-ipynb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string dib = Path.Combine(folder, "live_fixture.dib");
        File.Copy(Fixture, dib);
        var output = new StringWriter();
        Assert.Equal(0, await BookCommand.MainAsync(["ipynb", folder], output, new StringWriter()));
        string ipynb = Path.ChangeExtension(dib, ".ipynb");
        Assert.Contains("\"name\": \".net-csharp\"", File.ReadAllText(ipynb));
        Assert.Contains("var factor = 2;", File.ReadAllText(ipynb));

        File.WriteAllText(ipynb, "my work");
        var again = new StringWriter();
        Assert.Equal(0, await BookCommand.MainAsync(["ipynb", dib], again, new StringWriter()));
        Assert.Equal("my work", File.ReadAllText(ipynb));
        Assert.Contains("kept", again.ToString());
        Assert.Equal(0, await BookCommand.MainAsync(["ipynb", dib, "--force"], new StringWriter(), new StringWriter()));
        Assert.Contains("var factor = 2;", File.ReadAllText(ipynb));
    }

    [Fact]
    public async Task Ipynb_refuses_a_malformed_notebook_and_writes_nothing()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-ipynb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.Copy(Fixture, Path.Combine(folder, "a_good.dib"));
        File.WriteAllText(Path.Combine(folder, "b_bad.dib"), "#!csharp\n\nConsole.WriteLine(1);\n");
        var error = new StringWriter();
        Assert.Equal(2, await BookCommand.MainAsync(["ipynb", folder], new StringWriter(), error));
        Assert.Contains("b_bad.dib does not start with a '#!meta' block", error.ToString());
        Assert.Empty(Directory.GetFiles(folder, "*.ipynb")); // all or nothing
    }

    [Fact]
    public async Task Live_refuses_a_missing_notebook_and_a_bad_port_with_exit_code_2()
    {
        var error = new StringWriter();
        Assert.Equal(2, await BookCommand.MainAsync(["live", "no_such_notebook.dib"], new StringWriter(), error));
        Assert.Contains("Notebook not found", error.ToString());
        error = new StringWriter();
        Assert.Equal(2, await BookCommand.MainAsync(["live", Fixture, "--port", "http"], new StringWriter(), error));
        Assert.Contains("--port takes a port number", error.ToString());
    }

    [Fact]
    public void Live_says_what_to_do_when_its_port_is_taken()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        // In a child process: the live command changes the working directory, which is process-wide.
        var outcome = ProcessRunner.Run("dotnet", ["exec", Book.BookFixtures.BookAssembly, "live", Fixture, "--port", port.ToString()], Repository.Root, TimeSpan.FromMinutes(2));
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"Cannot listen on 127.0.0.1:{port}", outcome.StandardError);
        Assert.Contains("--port 0", outcome.StandardError);
    }
}

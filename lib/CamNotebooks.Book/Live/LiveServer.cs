using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using CamNotebooks.Book.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CamNotebooks.Book.Live;

/// <summary>
/// Serves one live notebook on 127.0.0.1 only (Kestrel): the page, the book's assets, the .dib and its executed .ipynb,
/// and a stream of server-sent events announcing each change. Nothing is fetched from or sent to another host.
/// </summary>
public sealed class LiveServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LiveSession _session;
    private readonly List<Channel<LiveStatus>> _listeners = [];
    private readonly Lock _gate = new();
    private (long Version, string Html)? _page;

    private LiveServer(WebApplication app, LiveSession session)
    {
        _app = app;
        _session = session;
        session.Changed += Broadcast;
    }

    /// <summary>The address the page is served at (http://127.0.0.1:port/name.html).</summary>
    public string PageUrl { get; private set; } = "";

    /// <summary>Starts serving <paramref name="session"/> on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    /// <exception cref="IOException">The port is in use.</exception>
    public static async Task<LiveServer> StartAsync(LiveSession session, int port, BookSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetDirectoryName(session.NotebookPath) });
        builder.Logging.ClearProviders(); // the kernel captures the console while a cell runs: log nothing there
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(3));
        var app = builder.Build();
        var server = new LiveServer(app, session);
        string pageName = Path.ChangeExtension(Path.GetFileName(session.NotebookPath), ".html");
        var assets = BookAssets.Files();

        app.MapGet("/", () => Results.Redirect("/" + Uri.EscapeDataString(pageName)));
        app.MapGet("/index.html", () => Results.Redirect("/" + Uri.EscapeDataString(pageName)));
        app.MapGet("/" + pageName, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Content(server.Page(settings), "text/html; charset=utf-8");
        });
        app.MapGet("/" + LivePage.ScriptPath, () => Results.Content(LivePage.Script, "text/javascript; charset=utf-8"));
        app.MapGet("/" + Path.GetFileName(session.NotebookPath), () => Results.File(File.ReadAllBytes(session.NotebookPath), "text/plain; charset=utf-8"));
        app.MapGet("/" + Path.ChangeExtension(Path.GetFileName(session.NotebookPath), ".ipynb"), () => Results.Content(session.ToIpynb(), "application/x-ipynb+json"));
        foreach (var (name, bytes) in assets)
            app.MapGet("/" + name, () => Results.Bytes(bytes, name.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/plain"));
        app.MapGet("/events", server.StreamEventsAsync);

        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new IOException($"Cannot listen on 127.0.0.1:{port} ({e.Message}). Pass another port with --port, or --port 0 for any free one.", e);
        }
        string address = app.Urls.Single();
        server.PageUrl = $"{address.TrimEnd('/')}/{pageName}";
        return server;
    }

    /// <summary>The page at the session's current version, rendered once per version however many tabs ask.</summary>
    private string Page(BookSettings settings)
    {
        long version = _session.Status.Version;
        lock (_gate)
            if (_page is { } cached && cached.Version == version) return cached.Html;
        string html = LivePage.Render(_session, settings);
        lock (_gate) _page = (version, html);
        return html;
    }

    /// <summary>Stops when the host stops (Ctrl-C) or <paramref name="cancellation"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation) => _app.WaitForShutdownAsync(cancellation);

    private async Task StreamEventsAsync(HttpContext context)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        var channel = Channel.CreateBounded<LiveStatus>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate) _listeners.Add(channel);
        var stopping = _app.Lifetime.ApplicationStopping;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await WriteAsync(context, _session.Status, done.Token);
            await foreach (var status in channel.Reader.ReadAllAsync(done.Token))
                await WriteAsync(context, status, done.Token);
        }
        catch (OperationCanceledException)
        {
            // The page closed or the server is stopping.
        }
        finally
        {
            lock (_gate) _listeners.Remove(channel);
        }
    }

    private static async Task WriteAsync(HttpContext context, LiveStatus status, CancellationToken cancellation)
    {
        string json = JsonSerializer.Serialize(new { version = status.Version, busy = status.Busy, message = status.Message, problem = status.Problem });
        await context.Response.WriteAsync($"data: {json}\n\n", Encoding.UTF8, cancellation);
        await context.Response.Body.FlushAsync(cancellation);
    }

    private void Broadcast(LiveStatus status)
    {
        lock (_gate)
            foreach (var listener in _listeners) listener.Writer.TryWrite(status);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _session.Changed -= Broadcast;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

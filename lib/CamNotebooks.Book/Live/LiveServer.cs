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

    /// <summary>The address the page is served at (http://127.0.0.1:port/path/name.html).</summary>
    public string PageUrl { get; private set; } = "";

    /// <summary>The port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>Starts serving <paramref name="session"/> on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    /// <exception cref="IOException">The port is in use.</exception>
    public static async Task<LiveServer> StartAsync(LiveSession session, int port, BookSettings settings)
    {
        var site = new LiveSite(session.NotebookPath);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = site.Root });
        builder.Logging.ClearProviders(); // the kernel captures the console while a cell runs: log nothing there
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(3));
        var app = builder.Build();
        var server = new LiveServer(app, session);
        var assets = BookAssets.Files();

        // DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches this port with its own name in Host. Only the
        // loopback names with this port are answered.
        app.Use(async (context, next) =>
        {
            if (server.HostAllowed(context.Request.Host))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"This live server answers only requests to http://127.0.0.1:{server.Port}/ " +
                                              $"(this one was addressed to '{context.Request.Host}').\n");
        });
        app.MapGet(LivePage.EventsPath, server.StreamEventsAsync);
        // "{*path}": the default fallback pattern skips paths that look like files, which are all of them here.
        app.MapFallback("{*path}", context => server.ServeAsync(context, site, settings, assets));

        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new IOException($"Cannot listen on 127.0.0.1:{port} ({e.Message}). Pass another port with --port, or --port 0 for any free one.", e);
        }
        var address = new Uri(app.Urls.Single());
        server.Port = address.Port;
        server.PageUrl = $"http://127.0.0.1:{address.Port}/{Escape(site.PagePath)}";
        return server;
    }

    private bool HostAllowed(HostString host) =>
        host.Port == Port && (host.Host == "127.0.0.1" || string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every path but the event stream: the live page, the other notebooks' pages and files, the index and the assets.</summary>
    private async Task ServeAsync(HttpContext context, LiveSite site, BookSettings settings, IReadOnlyDictionary<string, byte[]> assets)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        string path = (context.Request.Path.Value ?? "/").TrimStart('/');
        string livePage = site.PagePath;
        string liveIpynb = Path.ChangeExtension(site.RelativePath, ".ipynb");
        context.Response.Headers.CacheControl = "no-store";
        IResult result;
        if (path.Length == 0)
            result = Results.Redirect("/" + Escape(livePage));
        else if (path == livePage)
            result = Results.Content(Page(site, settings), "text/html; charset=utf-8");
        else if (path == LivePage.ScriptPath)
            result = Results.Content(LivePage.Script, "text/javascript; charset=utf-8");
        else if (assets.TryGetValue(path, out byte[]? bytes))
            result = Results.Bytes(bytes, path.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : path.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/plain");
        else if (path == site.RelativePath)
            result = Results.File(File.ReadAllBytes(site.NotebookPath), "text/plain; charset=utf-8");
        else if (path == liveIpynb)
            result = Results.Content(_session.ToIpynb(), "application/x-ipynb+json");
        else if (path == "index.html")
            result = Results.Content(IndexPage(site, settings), "text/html; charset=utf-8");
        else if (path.EndsWith(".html", StringComparison.Ordinal) && site.ForPage(path) is { } other)
            result = Results.Content(site.StaticPage(other, settings, livePage), "text/html; charset=utf-8");
        else if (path.EndsWith(".dib", StringComparison.Ordinal) && site.ForFile(path) is { } dib)
            result = Results.File(File.ReadAllBytes(dib.FullPath), "text/plain; charset=utf-8");
        else if (path.EndsWith(".ipynb", StringComparison.Ordinal) && site.ForFile(path) is { } ipynb)
            result = Results.Content(site.Ipynb(ipynb), "application/x-ipynb+json");
        else
            result = Results.Content(NotFoundPage(path, site), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        await result.ExecuteAsync(context);
    }

    /// <summary>The contents of the live loop's site: the book's index of its notebooks, with a note on which one runs live.</summary>
    internal static string IndexPage(LiveSite site, BookSettings settings)
    {
        var note = new PageRenderer.PageNote("live", $"<p><a href=\"{Html.Escape(site.PagePath)}\">{Html.Escape(site.RelativePath)}</a> " +
            "runs live; the other pages show the outputs of the last book build, or their cells when it has not run them.</p>");
        return PageRenderer.IndexPage(settings with { Title = $"{settings.Title} (live)" }, site.Pages(), note: note, live: true);
    }

    private static string NotFoundPage(string path, LiveSite site) =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body>" +
        $"<h1>Not found</h1><p>This live server has nothing at <code>/{Html.Escape(path)}</code>: it serves the live notebook " +
        $"<a href=\"/{Html.Escape(Escape(site.PagePath))}\">{Html.Escape(site.RelativePath)}</a>, the other notebooks of " +
        $"<code>{Html.Escape(site.Root)}</code> and the <a href=\"/index.html\">contents</a>.</p></body></html>\n";

    /// <summary>A relative path with each segment escaped for a URL.</summary>
    private static string Escape(string relativePath) => string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString));

    /// <summary>The page at the session's current version, rendered once per version however many tabs ask.</summary>
    private string Page(LiveSite site, BookSettings settings)
    {
        long version = _session.Status.Version;
        lock (_gate)
            if (_page is { } cached && cached.Version == version) return cached.Html;
        string html = LivePage.Render(_session, site, settings);
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

using System.Net;
using System.Net.Sockets;

namespace CamNotebooks.Tests.Book;

/// <summary>A local HTTP server on 127.0.0.1 that answers every request with an empty page and records its path: the "other host" of the sanitiser tests.</summary>
internal sealed class StandInServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<string> _requests = [];

    private StandInServer(int port)
    {
        Address = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Address + "/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>The server's address, without a trailing slash.</summary>
    public string Address { get; }

    /// <summary>The paths requested so far.</summary>
    public IReadOnlyList<string> Requests { get { lock (_requests) return _requests.ToList(); } }

    public static StandInServer Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new StandInServer(port);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            lock (_requests) _requests.Add(context.Request.RawUrl ?? "?");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/html";
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}

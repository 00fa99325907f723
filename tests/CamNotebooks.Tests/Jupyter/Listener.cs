using System.Globalization;
using System.Net;

namespace CamNotebooks.Tests.Jupyter;

/// <summary>
/// A TCP socket in the LISTEN state held by a process tree, read from Linux's /proc (what <c>ss -ltnp</c> shows):
/// /proc/net/tcp and tcp6 give each listening socket's address and inode, /proc/&lt;pid&gt;/fd which process holds it.
/// </summary>
internal sealed record Listener(IPAddress Address, int Port, int ProcessId)
{
    /// <summary>True for 127.0.0.0/8 and ::1 (and 127.x mapped into IPv6); false for 0.0.0.0, :: or a machine address.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Address.IsIPv4MappedToIPv6 ? Address.MapToIPv4() : Address);

    public override string ToString() => $"{(Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address)}:{Port} (pid {ProcessId})";

    /// <summary>Every listening TCP socket held by <paramref name="rootProcess"/> or any of its descendants, now.</summary>
    public static IReadOnlyList<Listener> Of(int rootProcess)
    {
        var tree = Descendants(rootProcess);
        var owners = new Dictionary<string, int>();
        foreach (int pid in tree)
        {
            try
            {
                foreach (string fd in Directory.GetFiles($"/proc/{pid}/fd"))
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                        owners[target["socket:[".Length..^1]] = pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the process ended meanwhile
        }
        var listeners = new List<Listener>();
        foreach (string table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            if (!File.Exists(table)) continue;
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length < 10 || columns[3] != "0A" || !owners.TryGetValue(columns[9], out int owner)) continue; // 0A: LISTEN
                string[] local = columns[1].Split(':');
                listeners.Add(new Listener(ParseAddress(local[0]), int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), owner));
            }
        }
        return listeners;
    }

    /// <summary>/proc's hex address: 32-bit words in the machine's byte order (little-endian here), IPv4 or IPv6.</summary>
    private static IPAddress ParseAddress(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (int word = 0; word < hex.Length / 8; word++)
            for (int b = 0; b < 4; b++)
                bytes[word * 4 + b] = byte.Parse(hex.AsSpan(word * 8 + (3 - b) * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new IPAddress(bytes);
    }

    private static HashSet<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (string folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(folder, "stat"));
                string[] after = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // state, ppid, ...
                parents[pid] = int.Parse(after[1], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        }
        var tree = new HashSet<int> { root };
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
                if (tree.Contains(parent) && tree.Add(pid)) grew = true;
        }
        return tree;
    }
}

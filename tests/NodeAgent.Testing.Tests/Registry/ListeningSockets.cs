using System.Globalization;
using System.Net;

namespace NodeAgent.Testing.Tests.Registry;

/// <summary>The TCP sockets a process listens on, from /proc (its fds matched against /proc/net/tcp{,6}).</summary>
internal static class ListeningSockets
{
    private const string ListenState = "0A";

    public static async Task<List<IPEndPoint>> OfProcessAsync(int pid, CancellationToken ct)
    {
        var inodes = Directory.EnumerateFiles($"/proc/{pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target!["socket:[".Length..^1])
            .ToHashSet();
        var listening = new List<IPEndPoint>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in (await File.ReadAllLinesAsync(table, ct)).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns[3] == ListenState && inodes.Contains(columns[9]))
                {
                    listening.Add(ParseEndPoint(columns[1]));
                }
            }
        }

        return listening;
    }

    /// <summary>/proc/net/tcp prints addresses as host-order hex words ("0100007F:1F90" is 127.0.0.1:8080).</summary>
    private static IPEndPoint ParseEndPoint(string hex)
    {
        var (address, port) = (hex[..hex.IndexOf(':', StringComparison.Ordinal)], hex[(hex.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        var bytes = Convert.FromHexString(address);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        return new IPEndPoint(new IPAddress(bytes), int.Parse(port, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}

using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Containerd;
using System.Diagnostics;
using System.Net;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Network;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Runtime.Tests.Network;

/// <summary>
/// A private pod network for one test: unique prefix, bridge "&lt;prefix&gt;b", random /24 (or a
/// given CIDR), state under a temp dir. Disposal tears down every sandbox the test created (best
/// effort), stops its background processes by PID, deletes the bridge and the temp dir, so the
/// test's leak check sees only what our code failed to clean.
/// </summary>
internal sealed class TestPodNetwork : IAsyncDisposable
{
    private readonly TempDirectory _temp;
    private readonly List<string> _sandboxIds = [];
    private readonly List<Process> _processes = [];

    private TestPodNetwork(string prefix, string? cidr, string? cniBinDirectory)
    {
        Prefix = prefix;
        _temp = new TempDirectory(prefix);
        Options = new PodNetworkOptions
        {
            BridgeName = prefix + "b",
            PodCidr = cidr ?? TestIds.NewSubnet24(),
            StateDirectory = _temp.Combine("network"),
            CniBinDirectory = cniBinDirectory ?? "/usr/lib/cni",
        };
        Network = NewInstance();
    }

    public string Prefix { get; }

    public PodNetworkOptions Options { get; }

    public CniPodNetwork Network { get; }

    public string TempPath => _temp.Path;

    public IPNetwork Cidr => IPNetwork.Parse(Options.PodCidr);

    /// <summary>host-local's gateway: the first address of the range (the bridge's address).</summary>
    public IPAddress Gateway
    {
        get
        {
            var bytes = Cidr.BaseAddress.GetAddressBytes();
            bytes[^1] += 1;
            return new IPAddress(bytes);
        }
    }

    public static TestPodNetwork Create(string? cidr = null, string? cniBinDirectory = null)
        => new(TestIds.NewPrefix(), cidr, cniBinDirectory);

    /// <summary>A second agent over the same state, as after a restart.</summary>
    public CniPodNetwork NewInstance(PodNetworkOptions? options = null) => new(options ?? Options, ProcessRunner.Instance);

    public PodNetworkRequest Request(string name, params PortMapping[] ports)
    {
        var id = $"{Prefix}-{name}";
        lock (_sandboxIds)
        {
            _sandboxIds.Add(id);
        }

        return new PodNetworkRequest(id, name, "default", Guid.NewGuid().ToString(), ports);
    }

    /// <summary>
    /// iptables entries carrying the prefix other than the node-level masquerade, which stays while
    /// the bridge exists: what pods left behind.
    /// </summary>
    public async Task<IReadOnlyList<string>> PodIptablesEntriesAsync(CancellationToken cancellationToken)
        => (await IptablesProbe.FindAsync(Prefix, cancellationToken))
            .Where(entry => !entry.Contains("NA-MASQ-" + Options.BridgeName, StringComparison.Ordinal))
            .ToList();

    /// <summary>The node-level masquerade rules for the test bridge (chain declaration, its rules and the POSTROUTING jump).</summary>
    public async Task<IReadOnlyList<string>> NodeMasqueradeEntriesAsync(CancellationToken cancellationToken)
        => (await IptablesProbe.FindAsync("NA-MASQ-" + Options.BridgeName, cancellationToken)).ToList();

    /// <summary>Host-side ports of the test bridge: one veth per pod attached.</summary>
    public IReadOnlyList<string> BridgePorts()
    {
        var brif = Path.Combine("/sys/class/net", Options.BridgeName, "brif");
        return Directory.Exists(brif) ? Directory.EnumerateFileSystemEntries(brif).Select(Path.GetFileName).OfType<string>().ToList() : [];
    }

    /// <summary>host-local allocation files (named by address, holding the container id) that name the sandbox.</summary>
    public IReadOnlyList<string> IpamAllocations(string sandboxId)
    {
        var directory = Path.Combine(Options.StateDirectory, "ipam", Options.NetworkName);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Where(f => File.ReadAllText(f).Contains(sandboxId, StringComparison.Ordinal)).ToList()
            : [];
    }

    public IReadOnlyList<string> StateFiles()
    {
        var directory = Path.Combine(Options.StateDirectory, "sandboxes");
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory).ToList() : [];
    }

    /// <summary>Runs a busybox applet inside the pod's network namespace (its own process, never a shell).</summary>
    public static Task<NodeAgent.Testing.Processes.ProcessResult> InPodAsync(PodNetworkResult pod, CancellationToken cancellationToken, params string[] busyboxArgs)
        => TestProcess.RunAsync("/usr/bin/nsenter", [$"--net={pod.NetnsPath}", "/bin/busybox", .. busyboxArgs], cancellationToken);

    /// <summary>An HTTP/1.0 GET from inside the pod with busybox nc (busybox-static's wget crashes in its resolver); the raw response.</summary>
    public static async Task<string> HttpGetFromPodAsync(PodNetworkResult pod, IPAddress address, int port, CancellationToken cancellationToken)
    {
        var result = await TestProcess.RunAsync(
            "/usr/bin/nsenter",
            [$"--net={pod.NetnsPath}", "/bin/busybox", "nc", "-w", "3", address.ToString(), port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            cancellationToken,
            standardInput: "GET / HTTP/1.0\r\n\r\n");
        return result.EnsureSuccess().StandardOutput;
    }

    /// <summary>busybox httpd in the foreground inside the pod, serving one page; stopped by PID at disposal.</summary>
    public string StartHttpd(PodNetworkResult pod, int port, string page)
    {
        var root = Directory.CreateDirectory(_temp.Combine("www-" + Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllText(Path.Combine(root, "index.html"), page);
        var process = TestProcess.StartBackground(
            "/usr/bin/nsenter",
            [$"--net={pod.NetnsPath}", "/bin/busybox", "httpd", "-f", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", root],
            _temp.Combine($"httpd-{port}-{Guid.NewGuid():N}.log"));
        lock (_processes)
        {
            _processes.Add(process);
        }

        return root;
    }

    public static HttpClient NewHttpClient()
        => new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(5) };

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await TestProcess.StopAsync(process, TimeSpan.FromSeconds(5));
            process.Dispose();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var cleaner = NewInstance();
        foreach (var id in _sandboxIds)
        {
            try
            {
                await cleaner.TearDownAsync(id, cts.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The test already failed or will fail its leak check; keep cleaning the rest.
            }
        }

        await HostCleanup.DeleteBridgeAsync(Options.BridgeName, cts.Token);

        _temp.Dispose();
    }
}

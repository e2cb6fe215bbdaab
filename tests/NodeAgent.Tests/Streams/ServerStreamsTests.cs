using System.Text.RegularExpressions;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Testing.Processes;
using NodeAgent.Tests.Server;

namespace NodeAgent.Tests.Streams;

/// <summary>
/// Logs, exec, attach, port-forward and cp through a real <c>nodeagent server</c>'s API, driven by the real kubectl
/// 1.32 (websockets, SPDY tunnelled in a websocket for port-forward) and kubectl 1.27 (SPDY/3.1).
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed partial class ServerStreamsTests(ServerRegistry registry)
{
    [Fact]
    public async Task Kubectl_logs_exec_attach_port_forward_and_cp_work_through_the_api()
    {
        using var deadline = TestDeadline.Seconds(420);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            using var kubectl127 = new KubectlRunner(server.KubeconfigPath, KubectlBinaries.Require("1.27"));
            var clients = new[] { ("132", kubectl), ("127", kubectl127) };
            var crasher = server.Prefix + "-crash";
            var manifests = string.Join("---\n", clients.SelectMany(c => new[] { StreamsPod(PodName(server, c.Item1), registry.Image), StreamsOwners(PodName(server, c.Item1), registry.Image) })
                .Append(CrashOncePod(crasher, registry.Image)));
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, manifests)).EnsureSuccess();

            foreach (var (version, client) in clients)
            {
                var pod = PodName(server, version);
                await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + pod], ct);
                await LogsAsync(client, pod, ct);
                await FollowAsync(client, pod, ct);
                await ExecAsync(client, pod, ct);
                await CopyAsync(client, pod, ct);
                await PortForwardAsync(client, pod, server, ct);
                await AttachAsync(client, pod, ct);
            }

            // --previous: the log of the attempt before the current one.
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + crasher], ct);
            await ServerPods.WaitAsync(kubectl, server, ["--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/" + crasher], ct);
            Assert.Equal("second-attempt\n", (await kubectl.RunAsync(["logs", crasher], ct)).EnsureSuccess().StandardOutput);
            foreach (var (_, client) in clients)
            {
                var previous = (await client.RunAsync(["logs", crasher, "--previous"], ct)).EnsureSuccess();
                Assert.Equal("crash-output\n", previous.StandardOutput);
            }

            var noPrevious = await kubectl.RunAsync(["logs", PodName(server, "132"), "-c", "main", "--previous"], ct);
            Assert.False(noPrevious.Succeeded);
            Assert.Contains($"previous terminated container \"main\" in pod \"{PodName(server, "132")}\" not found", noPrevious.StandardError, StringComparison.Ordinal);

            var delete = await kubectl.RunAsync(["delete", "pod", crasher, .. clients.Select(c => PodName(server, c.Item1)), "--timeout=90s"], ct);
            Assert.True(delete.Succeeded, $"kubectl delete: {delete.StandardError}\n{await server.ReadLogAsync(ct)}");
            (await kubectl.RunAsync(["delete", "deployment,job", .. clients.Select(c => PodName(server, c.Item1))], ct)).EnsureSuccess();
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    private static async Task LogsAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        Assert.Equal("hello\nsecond\n", (await kubectl.RunAsync(["logs", pod, "-c", "main"], ct)).EnsureSuccess().StandardOutput);
        Assert.Equal("second\n", (await kubectl.RunAsync(["logs", pod, "-c", "main", "--tail=1"], ct)).EnsureSuccess().StandardOutput);
        Assert.Equal("hello\nsecond\n", (await kubectl.RunAsync(["logs", pod, "-c", "main", "--since=1h"], ct)).EnsureSuccess().StandardOutput);
        Assert.Equal("hel", (await kubectl.RunAsync(["logs", "pod/" + pod, "-c", "main", "--limit-bytes=3"], ct)).EnsureSuccess().StandardOutput);
        Assert.Equal("hello\nsecond\n", (await kubectl.RunAsync(["logs", "-l", "streams=" + pod, "-c", "main"], ct)).EnsureSuccess().StandardOutput);
        // kubectl resolves a Deployment or Job to the first pod its selector matches.
        Assert.Equal("hello\nsecond\n", (await kubectl.RunAsync(["logs", "deploy/" + pod, "-c", "main"], ct)).EnsureSuccess().StandardOutput);
        Assert.Equal("hello\nsecond\n", (await kubectl.RunAsync(["logs", "job/" + pod, "-c", "main"], ct)).EnsureSuccess().StandardOutput);
        var stamped = (await kubectl.RunAsync(["logs", pod, "-c", "side", "--timestamps"], ct)).EnsureSuccess().StandardOutput;
        Assert.Matches(TimestampedLine(), stamped);

        var all = (await kubectl.RunAsync(["logs", pod, "--all-containers"], ct)).EnsureSuccess().StandardOutput;
        Assert.Contains("hello\nsecond\n", all, StringComparison.Ordinal);
        Assert.Contains("from-side\n", all, StringComparison.Ordinal);

        var unknown = await kubectl.RunAsync(["logs", pod, "-c", "nope"], ct);
        Assert.False(unknown.Succeeded);
        Assert.Contains($"container nope is not valid for pod {pod}", unknown.StandardError, StringComparison.Ordinal);
    }

    /// <summary><c>logs -f</c> shows a line the container writes after the stream started.</summary>
    private static async Task FollowAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        await using var follow = BackgroundKubectl.Start(kubectl, "logs-f", "logs", "-f", pod, "-c", "main");
        await follow.WaitForAsync(o => o.Contains("second\n", StringComparison.Ordinal) ? o : null, "the existing log lines", ct);
        (await kubectl.RunAsync(["exec", pod, "-c", "main", "--", "sh", "-c", "echo written-later > /proc/1/fd/1"], ct)).EnsureSuccess();
        var output = await follow.WaitForAsync(o => o.Contains("written-later\n", StringComparison.Ordinal) ? o : null, "the line written after following began", ct);
        Assert.Equal("hello\nsecond\nwritten-later\n", output);
        Assert.False(follow.HasExited);
    }

    private static async Task ExecAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        var exec = await kubectl.RunAsync(["exec", pod, "-c", "main", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], ct);
        Assert.Equal(3, exec.ExitCode);
        Assert.Equal("out\n", exec.StandardOutput);
        Assert.Contains("err", exec.StandardError, StringComparison.Ordinal);

        var stdin = await kubectl.RunAsync(["exec", "-i", pod, "-c", "main", "--", "sh", "-c", "cat; echo done"], ct, "from stdin\n");
        Assert.Equal("from stdin\ndone\n", stdin.EnsureSuccess().StandardOutput);

        var unknown = await kubectl.RunAsync(["exec", pod, "-c", "nope", "--", "true"], ct);
        Assert.False(unknown.Succeeded);
        Assert.Contains($"container nope is not valid for pod {pod}", unknown.StandardError, StringComparison.Ordinal);

        await ExecTtyAsync(kubectl, pod, ct);
    }

    /// <summary>
    /// <c>exec -it</c>: kubectl asks for a TTY only when its own stdin is a terminal, so it runs under script(1)'s pty;
    /// the container's shell must see a pts device and the exit code must still come back.
    /// </summary>
    private static async Task ExecTtyAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        var command = $"{kubectl.BinaryPath} --kubeconfig={kubectl.KubeconfigPath} --cache-dir={kubectl.CacheDirectory} exec -it {pod} -c main -- /bin/sh -c 'tty; exit 7'";
        var result = await TestProcess.RunAsync("script", ["-qec", command, "/dev/null"], ct, kubectl.EnvironmentOverrides, standardInput: string.Empty);
        Assert.True(result.ExitCode == 7, $"exec -it exited {result.ExitCode}: {result.StandardOutput}\n{result.StandardError}");
        Assert.Contains("/dev/pts/", result.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary><c>kubectl cp</c> runs tar through exec with stdin: a file in, and the same file out again.</summary>
    private static async Task CopyAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        var local = Path.Combine(kubectl.TempPath, "cp-in.txt");
        var back = Path.Combine(kubectl.TempPath, "cp-out.txt");
        var content = string.Join('\n', Enumerable.Range(0, 2000).Select(i => $"line {i}")) + "\n";
        await File.WriteAllTextAsync(local, content, ct);
        (await kubectl.RunAsync(["cp", local, $"{pod}:/tmp/copied.txt", "-c", "main"], ct)).EnsureSuccess();
        var size = (await kubectl.RunAsync(["exec", pod, "-c", "main", "--", "wc", "-c", "/tmp/copied.txt"], ct)).EnsureSuccess().StandardOutput;
        Assert.StartsWith(content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), size.Trim(), StringComparison.Ordinal);
        (await kubectl.RunAsync(["cp", $"{pod}:/tmp/copied.txt", back, "-c", "main"], ct)).EnsureSuccess();
        Assert.Equal(content, await File.ReadAllTextAsync(back, ct));
    }

    /// <summary><c>kubectl port-forward</c> on a random local port to busybox httpd in the pod, fetched over 127.0.0.1.</summary>
    private static async Task PortForwardAsync(KubectlRunner kubectl, string pod, ServerProcess server, CancellationToken ct)
    {
        await using var forward = BackgroundKubectl.Start(kubectl, "port-forward", "port-forward", "--address=127.0.0.1", "pod/" + pod, ":8080");
        var port = await forward.WaitForAsync(o => ForwardingFrom().Match(o) is { Success: true } m ? m.Groups[1].Value : null, "kubectl to report its local port", ct);
        using var http = new HttpClient();
        for (var i = 0; i < 2; i++)
        {
            // Twice: each connection is a new stream pair in the same session.
            var body = await FetchAsync(http, new Uri($"http://127.0.0.1:{port}/index.html"), ct);
            Assert.True(body == "served-by-busybox\n", $"port-forward answered {body}; kubectl said: {forward.Output}\n{await server.ReadLogAsync(ct)}");
        }
    }

    private static async Task<string> FetchAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        try
        {
            return await http.GetStringAsync(url, ct);
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    /// <summary><c>kubectl attach -i</c> to a container reading its stdin: the line goes in, the answer comes out (and shows in its log).</summary>
    private static async Task AttachAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        await using var follow = BackgroundKubectl.Start(kubectl, "logs-reader", "logs", "-f", pod, "-c", "reader");
        // The reader's first line shows the log stream is open before the attach ends the container (and it restarts).
        await follow.WaitForAsync(output => output.StartsWith("ready\n", StringComparison.Ordinal) ? output : null, "logs -f to show the reader's first line", ct);
        var attach = await kubectl.RunAsync(["attach", "-i", pod, "-c", "reader"], ct, "ping\n");
        Assert.Equal("got ping\n", attach.EnsureSuccess().StandardOutput);

        // stdinOnce: the end of our stdin ended the container, and with it the log stream that followed it.
        await follow.WaitForExitAsync(ct);
        Assert.Equal("ready\ngot ping\n", follow.Output);
    }

    private static string PodName(ServerProcess server, string version) => $"{server.Prefix}-s{version}";

    /// <summary>main: two lines then idles; side: one line; web: busybox httpd on 8080; reader: answers its stdin.</summary>
    private static string StreamsPod(string name, string image) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: default
          labels:
            streams: {name}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: {image}
            command: ["/bin/sh", "-c", "echo hello; echo second; exec sleep 3600"]
          - name: side
            image: {image}
            command: ["/bin/sh", "-c", "echo from-side; exec sleep 3600"]
          - name: web
            image: {image}
            command: ["/bin/sh", "-c", "mkdir -p /www && echo served-by-busybox > /www/index.html && exec httpd -f -p 8080 -h /www"]
          - name: reader
            image: {image}
            stdin: true
            stdinOnce: true
            command: ["/bin/sh", "-c", "echo ready; while read line; do echo \"got $line\"; done"]

        """;

    /// <summary>
    /// A pod whose container fails once and then keeps running (an emptyDir remembers the first attempt), so its
    /// restartCount stays at 1 however long the other steps take.
    /// </summary>
    private static string CrashOncePod(string name, string image) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: default
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: {image}
            command: ["/bin/sh", "-c", "if [ -e /state/crashed ]; then echo second-attempt; exec sleep 3600; fi; touch /state/crashed; echo crash-output; exit 1"]
            volumeMounts:
            - name: state
              mountPath: /state
          volumes:
          - name: state
            emptyDir: {"{}"}

        """;

    /// <summary>
    /// A Deployment and a Job whose selectors match the streams pod, for <c>logs deploy/NAME</c> and <c>logs job/NAME</c>.
    /// Zero replicas and a suspended Job: their controllers start no pods of their own, so the bare pod is the one found.
    /// </summary>
    private static string StreamsOwners(string name, string image) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: default
        spec:
          replicas: 0
          selector:
            matchLabels:
              streams: {name}
          template:
            metadata:
              labels:
                streams: {name}
            spec:
              containers:
              - name: main
                image: {image}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {name}
          namespace: default
        spec:
          suspend: true
          manualSelector: true
          selector:
            matchLabels:
              streams: {name}
          template:
            metadata:
              labels:
                streams: {name}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: {image}

        """;

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z from-side\n$")]
    private static partial Regex TimestampedLine();

    [GeneratedRegex(@"Forwarding from 127\.0\.0\.1:(\d+) -> 8080")]
    private static partial Regex ForwardingFrom();
}

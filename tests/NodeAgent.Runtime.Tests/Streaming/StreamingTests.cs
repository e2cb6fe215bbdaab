using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Streaming.Spdy;
using NodeAgent.Runtime.Tests.Pods;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Streaming;

/// <summary>
/// Exec, attach and port-forward through the URLs a real <c>nodeagent cri</c> hands out, with
/// websocket and SPDY clients, against real runc/conmon containers in CNI pods.
/// </summary>
public sealed class StreamingTests(NodeAgentPodTarget target) : IClassFixture<NodeAgentPodTarget>
{
    private static readonly string[] V5AndV4 = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    private RuntimeService.RuntimeServiceClient Runtime => target.Client.Runtime;

    [Fact]
    public async Task Websocket_exec_pipes_stdin_to_stdout_and_reports_the_exit_code_on_the_error_channel()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync("wsexec", ["/bin/sleep", "300"], async container =>
        {
            var url = (await Runtime.ExecAsync(
                new ExecRequest { ContainerId = container, Cmd = { "/bin/sh", "-c", "read line; echo \"out:$line\"; echo to-err >&2; exit 3" }, Stdin = true, Stdout = true, Stderr = true },
                cancellationToken: deadline.Token)).Url;
            Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);

            await using var client = await ChannelWebSocketClient.ConnectAsync(url, V5AndV4, deadline.Token);
            Assert.Equal("v5.channel.k8s.io", client.Protocol);
            await client.SendTextAsync(0, "hello\n", deadline.Token);
            await client.SendAsync(255, [0], deadline.Token); // v5: close stdin
            await client.Closed.WaitAsync(deadline.Token);

            Assert.Equal("out:hello\n", client.Text(1));
            Assert.Equal("to-err\n", client.Text(2));
            Assert.Equal("3", ExitCodeCause(client.Text(3)));
        }, deadline.Token);
    }

    [Fact]
    public async Task Websocket_v4_exec_of_a_succeeding_command_reports_Success_and_the_url_works_once()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync("once", ["/bin/sleep", "300"], async container =>
        {
            var url = (await Runtime.ExecAsync(new ExecRequest { ContainerId = container, Cmd = { "/bin/echo", "once" }, Stdout = true }, cancellationToken: deadline.Token)).Url;
            await using (var client = await ChannelWebSocketClient.ConnectAsync(url, ["v4.channel.k8s.io"], deadline.Token))
            {
                await client.Closed.WaitAsync(deadline.Token);
                Assert.Equal("once\n", client.Text(1));
                Assert.Equal("Success", (string?)JsonNode.Parse(client.Text(3))!["status"]);
            }

            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url, deadline.Token)).StatusCode);
            var unknown = url[..(url.LastIndexOf('/') + 1)] + "AAAAAAAAAAAAAAAAAAAAAA";
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(unknown, deadline.Token)).StatusCode);
        }, deadline.Token);
    }

    [Fact]
    public async Task A_client_that_disconnects_ends_its_exec_inside_the_container()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync("gone", ["/bin/sleep", "300"], async container =>
        {
            var url = (await Runtime.ExecAsync(new ExecRequest { ContainerId = container, Cmd = { "/bin/sleep", "4242" }, Stdout = true }, cancellationToken: deadline.Token)).Url;
            var client = await ChannelWebSocketClient.ConnectAsync(url, V5AndV4, deadline.Token);
            await Eventually.UntilAsync(async ct => (await PsAsync(container, ct)).Contains("sleep 4242", StringComparison.Ordinal) ? "running" : null, "the exec to start", deadline.Token);

            await client.DisposeAsync();

            await Eventually.UntilAsync(async ct => (await PsAsync(container, ct)).Contains("sleep 4242", StringComparison.Ordinal) ? null : "gone", "the exec to be killed", deadline.Token);
        }, deadline.Token);
    }

    [Fact]
    public async Task Websocket_tty_exec_runs_on_a_terminal_and_applies_resizes()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync("tty", ["/bin/sleep", "300"], async container =>
        {
            var url = (await Runtime.ExecAsync(new ExecRequest { ContainerId = container, Cmd = { "/bin/sh" }, Stdin = true, Stdout = true, Tty = true }, cancellationToken: deadline.Token)).Url;
            await using var client = await ChannelWebSocketClient.ConnectAsync(url, V5AndV4, deadline.Token);
            await client.SendTextAsync(4, "{\"Width\":123,\"Height\":45}", deadline.Token);

            // runc passes the size on asynchronously (SIGWINCH): ask until the shell sees it.
            await Eventually.UntilAsync(
                async ct =>
                {
                    await client.SendTextAsync(0, "stty size\n", ct);
                    await client.WaitForAsync(c => c.Text(1).Contains("stty size", StringComparison.Ordinal), ct);
                    return client.Text(1).Contains("45 123", StringComparison.Ordinal) ? "resized" : null;
                },
                "the terminal size inside the container",
                deadline.Token,
                TimeSpan.FromMilliseconds(200));
            await client.SendTextAsync(0, "tty; exit 4\n", deadline.Token);
            await client.Closed.WaitAsync(deadline.Token);

            Assert.Contains("/dev/pts/", client.Text(1), StringComparison.Ordinal);
            Assert.Equal("4", ExitCodeCause(client.Text(3)));
        }, deadline.Token);
    }

    [Fact]
    public async Task Websocket_attach_sends_stdin_to_the_container_and_returns_its_output()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync(
            new ContainerCase("attach", ["/bin/sh", "-c", "while read line; do echo \"got:$line\"; echo \"err:$line\" >&2; done"], Stdin: true),
            async (container, _) =>
            {
                var url = (await Runtime.AttachAsync(new AttachRequest { ContainerId = container, Stdin = true, Stdout = true, Stderr = true }, cancellationToken: deadline.Token)).Url;
                await using var client = await ChannelWebSocketClient.ConnectAsync(url, V5AndV4, deadline.Token);
                await client.SendTextAsync(0, "hello\n", deadline.Token);
                await client.WaitForAsync(c => c.Text(1).Contains("got:hello", StringComparison.Ordinal) && c.Text(2).Contains("err:hello", StringComparison.Ordinal), deadline.Token);
                Assert.Equal("got:hello\n", client.Text(1));
            },
            deadline.Token);
    }

    [Fact]
    public async Task Websocket_attach_to_a_tty_container_resizes_its_terminal_through_conmon()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync(
            new ContainerCase("ttyattach", ["/bin/sh"], Stdin: true, Tty: true),
            async (container, _) =>
            {
                // Each attempt is a fresh attach with its own short deadline: under load the first
                // session can start before the shell's terminal is ready, and a lost first exchange
                // must not use up the whole test's time.
                await Eventually.UntilAsync(
                    async ct =>
                    {
                        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        attempt.CancelAfter(TimeSpan.FromSeconds(8));
                        try
                        {
                            var url = (await Runtime.AttachAsync(new AttachRequest { ContainerId = container, Stdin = true, Stdout = true, Tty = true }, cancellationToken: attempt.Token)).Url;
                            await using var client = await ChannelWebSocketClient.ConnectAsync(url, V5AndV4, attempt.Token);
                            await client.SendTextAsync(4, "{\"Width\":99,\"Height\":33}", attempt.Token);
                            await client.SendTextAsync(0, "stty size\n", attempt.Token);
                            await client.WaitForAsync(c => c.Text(1).Contains("33 99", StringComparison.Ordinal), attempt.Token);
                            return "resized";
                        }
                        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                        {
                            return null;
                        }
                    },
                    "the attached terminal's size",
                    deadline.Token,
                    TimeSpan.FromMilliseconds(200));
            },
            deadline.Token);
    }

    [Fact]
    public async Task Websocket_port_forward_reaches_httpd_on_the_pods_loopback()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync(
            "pf",
            ["/bin/sh", "-c", "mkdir -p /tmp/www && echo forwarded-page > /tmp/www/index.html && exec /usr/sbin/httpd -f -p 127.0.0.1:8080 -h /tmp/www"],
            async (container, sandboxId) =>
            {
                var page = await Eventually.UntilAsync(
                    async ct =>
                    {
                        var url = (await Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = sandboxId, Port = { 8080 } }, cancellationToken: ct)).Url;
                        await using var client = await ChannelWebSocketClient.ConnectAsync(url + "?port=8080", ["v4.channel.k8s.io"], ct);
                        await client.WaitForAsync(c => c.Received(0).Length >= 2 && c.Received(1).Length >= 2, ct);
                        Assert.Equal([0x90, 0x1f], client.Received(0)[..2]); // 8080, little-endian
                        await client.SendTextAsync(0, "GET / HTTP/1.0\r\n\r\n", ct);
                        await client.Closed.WaitAsync(ct);
                        var response = Encoding.ASCII.GetString(client.Received(0)[2..]);
                        return response.Contains("200 OK", StringComparison.Ordinal) ? response : null;
                    },
                    "a page through the port-forward",
                    deadline.Token);
                Assert.EndsWith("forwarded-page\n", page, StringComparison.Ordinal);
            },
            deadline.Token);
    }

    [Fact]
    public async Task Spdy_exec_with_stdin_stdout_stderr_and_exit_code()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync("spdy", ["/bin/sleep", "300"], async container =>
        {
            var url = (await Runtime.ExecAsync(
                new ExecRequest { ContainerId = container, Cmd = { "/bin/sh", "-c", "/bin/cat; echo to-err >&2; exit 5" }, Stdin = true, Stdout = true, Stderr = true },
                cancellationToken: deadline.Token)).Url;
            await using var client = await SpdyTestClient.ConnectAsync(url, ["v4.channel.k8s.io", "v3.channel.k8s.io"], deadline.Token);
            Assert.Equal("v4.channel.k8s.io", client.Protocol);
            var error = await client.OpenAsync(deadline.Token, ("streamtype", "error"));
            var stdin = await client.OpenAsync(deadline.Token, ("streamtype", "stdin"));
            var stdout = await client.OpenAsync(deadline.Token, ("streamtype", "stdout"));
            var stderr = await client.OpenAsync(deadline.Token, ("streamtype", "stderr"));

            await stdin.WriteAsync("spdy-hello"u8.ToArray(), deadline.Token);
            await stdin.CloseWriteAsync(deadline.Token);

            Assert.Equal("spdy-hello", await ReadAllAsync(stdout, deadline.Token));
            Assert.Equal("to-err\n", await ReadAllAsync(stderr, deadline.Token));
            Assert.Equal("5", ExitCodeCause(await ReadAllAsync(error, deadline.Token)));
        }, deadline.Token);
    }

    [Fact]
    public async Task Spdy_port_forward_pairs_data_and_error_streams_by_request_id()
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync(
            "spdypf",
            ["/bin/sh", "-c", "mkdir -p /tmp/www && echo spdy-page > /tmp/www/index.html && exec /usr/sbin/httpd -f -p 127.0.0.1:8081 -h /tmp/www"],
            async (container, sandboxId) =>
            {
                var url = (await Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = sandboxId, Port = { 8081 } }, cancellationToken: deadline.Token)).Url;
                await using var client = await SpdyTestClient.ConnectAsync(url, ["portforward.k8s.io"], deadline.Token);
                var requestId = 0;
                var page = await Eventually.UntilAsync(
                    async ct =>
                    {
                        var id = (requestId++).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        var error = await client.OpenAsync(ct, ("streamtype", "error"), ("port", "8081"), ("requestid", id));
                        var data = await client.OpenAsync(ct, ("streamtype", "data"), ("port", "8081"), ("requestid", id));
                        await data.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), ct);
                        await data.CloseWriteAsync(ct);
                        var response = await ReadAllAsync(data, ct);
                        var problem = await ReadAllAsync(error, ct);
                        return response.Contains("200 OK", StringComparison.Ordinal) ? response : throw new InvalidOperationException(problem);
                    },
                    "a page through the SPDY port-forward",
                    deadline.Token);
                Assert.EndsWith("spdy-page\n", page, StringComparison.Ordinal);
            },
            deadline.Token);
    }

    [Theory]
    [InlineData("1.27")] // SPDY/3.1
    [InlineData("1.32")] // websocket v5
    public async Task Kubectl_exec_through_a_relaying_api_server_gets_stdin_stdout_and_the_exit_code(string version)
    {
        using var deadline = TestDeadline.Seconds(60);
        await WithContainerAsync($"kubectl{version.Replace(".", string.Empty, StringComparison.Ordinal)}", ["/bin/sleep", "300"], async container =>
        {
            await using var api = new ExecOnlyApiServer(Runtime, container);
            using var home = new TempDirectory(target.Prefix);
            var kubeconfig = home.Combine("kubeconfig");
            KubeconfigFile.Write(kubeconfig, api.Uri);
            using var kubectl = new KubectlRunner(kubeconfig, KubectlBinaries.Require(version), target.Prefix);

            var result = await kubectl.RunAsync(["exec", "-i", ExecOnlyApiServer.PodName, "--", "/bin/sh", "-c", "/bin/cat; echo to-err >&2; exit 3"], deadline.Token, "from-kubectl");

            Assert.True(result.ExitCode == 3, $"kubectl {version}: exit {result.ExitCode}, stderr: {result.StandardError}");
            Assert.Equal("from-kubectl", result.StandardOutput);
            Assert.Contains("to-err", result.StandardError, StringComparison.Ordinal);
        }, deadline.Token);
    }

    private static string? ExitCodeCause(string statusJson)
    {
        var status = JsonNode.Parse(statusJson)!;
        Assert.Equal("NonZeroExitCode", (string?)status["reason"]);
        var cause = status["details"]!["causes"]![0]!;
        Assert.Equal("ExitCode", (string?)cause["reason"]);
        return (string?)cause["message"];
    }

    private async Task<string> PsAsync(string container, CancellationToken cancellationToken)
        => (await Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = container, Cmd = { "/bin/ps", "-o", "args" }, Timeout = 10 }, cancellationToken: cancellationToken)).Stdout.ToStringUtf8();

    private static async Task<string> ReadAllAsync(SpdyStream stream, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream.Input, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private Task WithContainerAsync(string name, string[] command, Func<string, Task> test, CancellationToken cancellationToken)
        => WithContainerAsync(new ContainerCase(name, command), (container, _) => test(container), cancellationToken);

    private Task WithContainerAsync(string name, string[] command, Func<string, string, Task> test, CancellationToken cancellationToken)
        => WithContainerAsync(new ContainerCase(name, command), test, cancellationToken);

    /// <summary>A pod with one running container; the pod is removed and checked for leaks even when the test fails.</summary>
    private async Task WithContainerAsync(ContainerCase @case, Func<string, string, Task> test, CancellationToken cancellationToken)
    {
        var (name, command, stdin, tty) = @case;
        var sandbox = PodConfigs.Sandbox(target, $"{target.Prefix}-{name}");
        var sandboxId = (await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandbox }, cancellationToken: cancellationToken)).PodSandboxId;
        try
        {
            var request = PodConfigs.Container(target, sandboxId, sandbox, name, command);
            request.Config.Stdin = stdin;
            request.Config.Tty = tty;
            var container = (await Runtime.CreateContainerAsync(request, cancellationToken: cancellationToken)).ContainerId;
            await Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = container }, cancellationToken: cancellationToken);
            await test(container, sandboxId);
        }
        finally
        {
            using var cleanup = TestDeadline.Seconds(60);
            await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId }, cancellationToken: cleanup.Token);
            await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId }, cancellationToken: cleanup.Token);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, cancellationToken);
    }

    private sealed record ContainerCase(string Name, string[] Command, bool Stdin = false, bool Tty = false);
}

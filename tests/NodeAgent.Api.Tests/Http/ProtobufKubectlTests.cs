using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Http;

/// <summary>
/// kubectl 1.32's typed generators send protobuf bodies (a 415 would fail them, kubectl does not fall back to
/// JSON); each object is read back as JSON and checked field by field.
/// </summary>
public sealed class ProtobufKubectlTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private async Task<string> CreateAsync(string[] args, CancellationToken ct)
    {
        var result = await api.Kubectl.RunAsync(args, ct);
        Assert.True(result.Succeeded, $"kubectl {string.Join(' ', args)} failed: {result.StandardError}{result.StandardOutput}");
        return result.StandardError;
    }

    private async Task<JsonElement> GetAsync(string ns, string resource, string name, CancellationToken ct)
    {
        using var doc = await api.Kubectl.GetJsonAsync([resource, name, "-n", ns], ct);
        return doc.RootElement.Clone();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Create_deployment_with_replicas_and_port()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var log = await CreateAsync(["create", "deployment", "web", "-n", ns, "--image=busybox", "--replicas=2", "--port=80", "-v=8"], cts.Token);
        var deployment = await GetAsync(ns, "deployment", "web", cts.Token);

        Assert.Contains("Content-Type: application/vnd.kubernetes.protobuf", log, StringComparison.Ordinal);
        var spec = deployment.GetProperty("spec");
        Assert.Equal("web", deployment.GetProperty("metadata").GetProperty("labels").GetProperty("app").GetString());
        Assert.Equal(2, spec.GetProperty("replicas").GetInt32());
        Assert.Equal("web", spec.GetProperty("selector").GetProperty("matchLabels").GetProperty("app").GetString());
        Assert.Equal("web", spec.GetProperty("template").GetProperty("metadata").GetProperty("labels").GetProperty("app").GetString());
        var container = Assert.Single(spec.GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray());
        Assert.Equal("busybox", container.GetProperty("name").GetString());
        Assert.Equal("busybox", container.GetProperty("image").GetString());
        var port = Assert.Single(container.GetProperty("ports").EnumerateArray());
        Assert.Equal(80, port.GetProperty("containerPort").GetInt32());
    }

    [Fact]
    public async Task Create_job_with_a_command()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        await CreateAsync(["create", "job", "j", "-n", ns, "--image=busybox", "--", "echo", "hi"], cts.Token);
        var job = await GetAsync(ns, "job", "j", cts.Token);

        var podSpec = job.GetProperty("spec").GetProperty("template").GetProperty("spec");
        Assert.Equal("Never", podSpec.GetProperty("restartPolicy").GetString());
        var container = Assert.Single(podSpec.GetProperty("containers").EnumerateArray());
        Assert.Equal("j", container.GetProperty("name").GetString());
        Assert.Equal("busybox", container.GetProperty("image").GetString());
        Assert.Equal(["echo", "hi"], Strings(container.GetProperty("command")));
    }

    [Fact]
    public async Task Create_cronjob_with_a_schedule()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        await CreateAsync(["create", "cronjob", "c", "-n", ns, "--image=busybox", "--schedule=*/5 * * * *"], cts.Token);
        var cronJob = await GetAsync(ns, "cronjob", "c", cts.Token);

        var spec = cronJob.GetProperty("spec");
        Assert.Equal("*/5 * * * *", spec.GetProperty("schedule").GetString());
        Assert.Equal("c", spec.GetProperty("jobTemplate").GetProperty("metadata").GetProperty("name").GetString());
        var podSpec = spec.GetProperty("jobTemplate").GetProperty("spec").GetProperty("template").GetProperty("spec");
        Assert.Equal("OnFailure", podSpec.GetProperty("restartPolicy").GetString());
        var container = Assert.Single(podSpec.GetProperty("containers").EnumerateArray());
        Assert.Equal("c", container.GetProperty("name").GetString());
        Assert.Equal("busybox", container.GetProperty("image").GetString());
    }

    [Fact]
    public async Task Create_nodeport_service_with_a_target_port()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        await CreateAsync(["create", "service", "nodeport", "s", "-n", ns, "--tcp=80:8080"], cts.Token);
        var service = await GetAsync(ns, "service", "s", cts.Token);

        var spec = service.GetProperty("spec");
        Assert.Equal("s", service.GetProperty("metadata").GetProperty("labels").GetProperty("app").GetString());
        Assert.Equal("NodePort", spec.GetProperty("type").GetString());
        Assert.Equal("s", spec.GetProperty("selector").GetProperty("app").GetString());
        var port = Assert.Single(spec.GetProperty("ports").EnumerateArray());
        Assert.Equal("80-8080", port.GetProperty("name").GetString());
        Assert.Equal("TCP", port.GetProperty("protocol").GetString());
        Assert.Equal(80, port.GetProperty("port").GetInt32());
        Assert.Equal(8080, port.GetProperty("targetPort").GetInt32());
    }

    [Fact]
    public async Task Create_clusterip_service_keeps_its_ports()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        await CreateAsync(["create", "service", "clusterip", "api", "-n", ns, "--tcp=443:https"], cts.Token);
        var service = await GetAsync(ns, "service", "api", cts.Token);

        var port = Assert.Single(service.GetProperty("spec").GetProperty("ports").EnumerateArray());
        Assert.Equal("ClusterIP", service.GetProperty("spec").GetProperty("type").GetString());
        Assert.Equal(443, port.GetProperty("port").GetInt32());
        Assert.Equal("https", port.GetProperty("targetPort").GetString());
    }

    [Fact]
    public async Task Create_docker_registry_secret()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        await CreateAsync(["create", "secret", "docker-registry", "r", "-n", ns, "--docker-server=127.0.0.1:5000", "--docker-username=u", "--docker-password=p"], cts.Token);
        var secret = await GetAsync(ns, "secret", "r", cts.Token);

        Assert.Equal("kubernetes.io/dockerconfigjson", secret.GetProperty("type").GetString());
        var config = Convert.FromBase64String(secret.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!);
        using var doc = JsonDocument.Parse(config);
        var auth = doc.RootElement.GetProperty("auths").GetProperty("127.0.0.1:5000");
        Assert.Equal("u", auth.GetProperty("username").GetString());
        Assert.Equal("p", auth.GetProperty("password").GetString());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")), auth.GetProperty("auth").GetString());
    }

    [Fact]
    public async Task Run_a_pod_with_env_labels_and_args()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        await CreateAsync(["run", "p", "-n", ns, "--image=busybox", "--restart=Never", "--env=A=B", "--labels=x=y", "--", "sleep", "10"], cts.Token);
        var pod = await GetAsync(ns, "pod", "p", cts.Token);

        var spec = pod.GetProperty("spec");
        Assert.Equal("y", pod.GetProperty("metadata").GetProperty("labels").GetProperty("x").GetString());
        Assert.Equal("Never", spec.GetProperty("restartPolicy").GetString());
        var container = Assert.Single(spec.GetProperty("containers").EnumerateArray());
        Assert.Equal("p", container.GetProperty("name").GetString());
        Assert.Equal("busybox", container.GetProperty("image").GetString());
        Assert.Equal(["sleep", "10"], Strings(container.GetProperty("args")));
        var env = Assert.Single(container.GetProperty("env").EnumerateArray());
        Assert.Equal("A", env.GetProperty("name").GetString());
        Assert.Equal("B", env.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Create_job_from_a_cronjob_carries_owner_reference_and_annotation()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await CreateAsync(["create", "cronjob", "nightly", "-n", ns, "--image=busybox", "--schedule=0 3 * * *"], cts.Token);

        await CreateAsync(["create", "job", "nightly-now", "-n", ns, "--from=cronjob/nightly"], cts.Token);
        var cronJob = await GetAsync(ns, "cronjob", "nightly", cts.Token);
        var job = await GetAsync(ns, "job", "nightly-now", cts.Token);

        var meta = job.GetProperty("metadata");
        Assert.Equal("manual", meta.GetProperty("annotations").GetProperty("cronjob.kubernetes.io/instantiate").GetString());
        var owner = Assert.Single(meta.GetProperty("ownerReferences").EnumerateArray());
        Assert.Equal("batch/v1", owner.GetProperty("apiVersion").GetString());
        Assert.Equal("CronJob", owner.GetProperty("kind").GetString());
        Assert.Equal("nightly", owner.GetProperty("name").GetString());
        Assert.Equal(cronJob.GetProperty("metadata").GetProperty("uid").GetString(), owner.GetProperty("uid").GetString());
        Assert.True(owner.GetProperty("controller").GetBoolean());
    }

    [Fact]
    public async Task Run_with_expose_privileged_and_annotations_creates_pod_and_service()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        await CreateAsync(["run", "web", "-n", ns, "--image=busybox", "--port=8080", "--expose", "--privileged", "--annotations=team=blue"], cts.Token);
        var pod = await GetAsync(ns, "pod", "web", cts.Token);
        var service = await GetAsync(ns, "service", "web", cts.Token);

        Assert.Equal("blue", pod.GetProperty("metadata").GetProperty("annotations").GetProperty("team").GetString());
        var container = Assert.Single(pod.GetProperty("spec").GetProperty("containers").EnumerateArray());
        Assert.True(container.GetProperty("securityContext").GetProperty("privileged").GetBoolean());
        Assert.Equal(8080, Assert.Single(container.GetProperty("ports").EnumerateArray()).GetProperty("containerPort").GetInt32());
        var port = Assert.Single(service.GetProperty("spec").GetProperty("ports").EnumerateArray());
        Assert.Equal(8080, port.GetProperty("port").GetInt32());
        Assert.Equal(8080, port.GetProperty("targetPort").GetInt32());
        Assert.Equal("web", service.GetProperty("spec").GetProperty("selector").GetProperty("run").GetString());
    }

    [Fact]
    public async Task Create_tls_secret()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=example.test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPem = certificate.ExportCertificatePem();
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        var certPath = Path.Combine(api.TempPath, $"{ns}.crt");
        var keyPath = Path.Combine(api.TempPath, $"{ns}.key");
        await File.WriteAllTextAsync(certPath, certPem, cts.Token);
        await File.WriteAllTextAsync(keyPath, keyPem, cts.Token);

        await CreateAsync(["create", "secret", "tls", "site", "-n", ns, $"--cert={certPath}", $"--key={keyPath}"], cts.Token);
        var secret = await GetAsync(ns, "secret", "site", cts.Token);

        Assert.Equal("kubernetes.io/tls", secret.GetProperty("type").GetString());
        Assert.Equal(certPem, Encoding.UTF8.GetString(Convert.FromBase64String(secret.GetProperty("data").GetProperty("tls.crt").GetString()!)).TrimEnd('\n'));
        Assert.Equal(keyPem, Encoding.UTF8.GetString(Convert.FromBase64String(secret.GetProperty("data").GetProperty("tls.key").GetString()!)).TrimEnd('\n'));
    }
}

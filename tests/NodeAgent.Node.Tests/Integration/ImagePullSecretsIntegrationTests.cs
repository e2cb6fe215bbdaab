using System.Text;
using System.Text.Json;
using k8s.Models;
using NodeAgent.Node.Images;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>imagePullSecrets against a real registry with htpasswd auth and a real <c>nodeagent cri</c>.</summary>
[Collection(BusyboxRegistry.Collection)]
public sealed class ImagePullSecretsIntegrationTests(BusyboxRegistry registry)
{
    private static V1Secret DockerConfigJson(string name, string host, string username, string password) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Type = DockerKeyring.DockerConfigJsonType,
        Data = new Dictionary<string, byte[]>
        {
            [".dockerconfigjson"] = JsonSerializer.SerializeToUtf8Bytes(new { auths = new Dictionary<string, object> { [host] = new { username, password } } }),
        },
    };

    private static V1Secret DockerCfg(string name, string host, string username, string password) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Type = DockerKeyring.DockerConfigType,
        Data = new Dictionary<string, byte[]>
        {
            [".dockercfg"] = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["http://" + host] = new { auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password)) } }),
        },
    };

    private static V1ContainerStateWaiting? Waiting(V1PodStatus s) => s.ContainerStatuses?.SingleOrDefault()?.State.Waiting;

    [Fact]
    public async Task Pull_secrets_authenticate_missing_ones_warn_and_bad_credentials_fail_with_the_registrys_message()
    {
        using var deadline = TestDeadline.Seconds(180);
        await using var privateRegistry = await RegistryFixture.StartNewAsync(RegistryOptions.WithBasicAuth(), deadline.Token);
        await privateRegistry.PushImageAsync(TestImages.Busybox(), "private/busybox:1.0", deadline.Token);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token, privateRegistry);
        var host = privateRegistry.Host;
        var image = privateRegistry.Reference("private/busybox", "1.0");
        var credentials = privateRegistry.Credentials!;
        node.Objects.Add(DockerConfigJson("good", host, credentials.Username, credentials.Password));
        node.Objects.Add(DockerCfg("wrong", host, credentials.Username, "not-the-password"));

        // A secret that does not exist: a warning, then an anonymous pull, which this registry refuses.
        var missing = node.Pod("missing", TestPods.Container("app", image, "/bin/sleep", "300"));
        missing.Spec.ImagePullSecrets = [new V1LocalObjectReference { Name = "absent" }];
        var anonymous = await node.SyncUntilAsync(missing, s => Waiting(s)?.Reason == "ErrImagePull", "ErrImagePull without credentials", deadline.Token);
        Assert.Contains(node.Events.Events, e => e is { Type: "Warning", Reason: "FailedToRetrieveImagePullSecret" }
            && e.Message == "Unable to retrieve some image pull secrets (absent); attempting to pull the image may not succeed.");
        Assert.Contains($"registry {host} requires authentication for private/busybox: no credentials were given", Waiting(anonymous)!.Message, StringComparison.Ordinal);

        // Wrong credentials: ErrImagePull with the registry's refusal, then ImagePullBackOff.
        var wrong = node.Pod("wrong", TestPods.Container("app", image, "/bin/sleep", "300"));
        wrong.Spec.ImagePullSecrets = [new V1LocalObjectReference { Name = "wrong" }];
        var refused = await node.SyncUntilAsync(wrong, s => Waiting(s)?.Reason == "ErrImagePull", "ErrImagePull with bad credentials", deadline.Token);
        Assert.Contains($"authentication failed for registry {host} as user '{credentials.Username}': the registry rejected the credentials", Waiting(refused)!.Message, StringComparison.Ordinal);
        await node.SyncUntilAsync(wrong, s => Waiting(s)?.Reason == "ImagePullBackOff", "ImagePullBackOff", deadline.Token);

        // The right secret (next to a missing one) pulls the image and the pod runs.
        var good = node.Pod("good", TestPods.Container("app", image, "/bin/sleep", "300"));
        good.Spec.ImagePullSecrets = [new V1LocalObjectReference { Name = "absent" }, new V1LocalObjectReference { Name = "good" }];
        var running = await node.SyncUntilAsync(good, s => s.Phase == "Running" && s.ContainerStatuses.Single().State.Running is not null, "the pod running", deadline.Token);
        Assert.Equal(image, running.ContainerStatuses.Single().Image);
    }
}

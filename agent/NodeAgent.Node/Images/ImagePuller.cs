using Grpc.Core;
using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Images;

/// <summary>
/// Pulls a pod's image through CRI with the credentials of its <c>imagePullSecrets</c>, as kubelet does: a secret
/// that cannot be read is reported (<c>FailedToRetrieveImagePullSecret</c>) and the pull goes on without it; the
/// matching credentials are tried best first; with none, the pull is anonymous.
/// </summary>
public sealed class ImagePuller(ImageService.ImageServiceClient images, IPodObjectSource objects, IPodEventSink events)
{
    /// <summary>Pulls <paramref name="image"/> for <paramref name="pod"/> and returns the image ref; the last failure is thrown.</summary>
    public async Task<string> PullAsync(V1Pod pod, string image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var keyring = await KeyringForAsync(pod, cancellationToken).ConfigureAwait(false);
        var candidates = keyring.Lookup(image);
        if (candidates.Count == 0)
        {
            return await PullOnceAsync(image, null, cancellationToken).ConfigureAwait(false);
        }

        RpcException? last = null;
        foreach (var auth in candidates)
        {
            try
            {
                return await PullOnceAsync(image, auth, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode is not StatusCode.Cancelled)
            {
                last = e;
            }
        }

        throw last!;
    }

    /// <summary>The keyring of the pod's pull secrets; missing or unreadable ones are reported as kubelet reports them.</summary>
    public async Task<DockerKeyring> KeyringForAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var keyring = new DockerKeyring();
        var failed = new List<string>();
        var namespaceName = SandboxConfigBuilder.Namespace(pod);
        foreach (var reference in pod.Spec.ImagePullSecrets ?? [])
        {
            if (string.IsNullOrEmpty(reference?.Name))
            {
                continue;
            }

            var secret = await objects.GetSecretAsync(namespaceName, reference.Name, cancellationToken).ConfigureAwait(false);
            if (secret is null)
            {
                failed.Add(reference.Name);
                continue;
            }

            try
            {
                keyring.AddSecret(secret);
            }
            catch (FormatException)
            {
                failed.Add(reference.Name);
            }
        }

        if (failed.Count > 0)
        {
            events.Publish(pod, PodEvent.Warning(
                "FailedToRetrieveImagePullSecret",
                $"Unable to retrieve some image pull secrets ({string.Join(", ", failed)}); attempting to pull the image may not succeed."));
        }

        return keyring;
    }

    private async Task<string> PullOnceAsync(string image, AuthConfig? auth, CancellationToken cancellationToken)
    {
        var request = new PullImageRequest { Image = new ImageSpec { Image = image } };
        if (auth is not null)
        {
            request.Auth = auth;
        }

        return (await images.PullImageAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false)).ImageRef;
    }
}

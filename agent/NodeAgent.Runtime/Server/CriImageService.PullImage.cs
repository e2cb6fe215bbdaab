using System.Text;
using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Runtime.Images.Pull;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriImageService
{
    public override async Task<PullImageResponse> PullImage(PullImageRequest request, ServerCallContext context)
    {
        var reference = request.Image?.Image;
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "PullImage: image.image is empty");
        }

        var record = await images.PullAsync(reference, new PullOptions { Auth = ToAuth(request.Auth) }, context.CancellationToken);
        return new PullImageResponse { ImageRef = record.Id };
    }

    /// <summary>CRI AuthConfig → credentials; <c>auth</c> is base64("user:password") as in docker config files.</summary>
    private static RegistryAuth? ToAuth(AuthConfig? auth)
    {
        if (auth is null)
        {
            return null;
        }

        var username = auth.Username;
        var password = auth.Password;
        if (string.IsNullOrEmpty(username) && !string.IsNullOrEmpty(auth.Auth))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth.Auth));
            }
            catch (FormatException e)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, "PullImage: auth.auth is not base64 of user:password", e);
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, "PullImage: auth.auth does not decode to user:password");
            }

            username = decoded[..colon];
            password = decoded[(colon + 1)..];
        }

        return string.IsNullOrEmpty(username) && string.IsNullOrEmpty(auth.IdentityToken) && string.IsNullOrEmpty(auth.RegistryToken)
            ? null
            : new RegistryAuth(NullIfEmpty(username), NullIfEmpty(password), NullIfEmpty(auth.IdentityToken), NullIfEmpty(auth.RegistryToken));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriImageService
{
    public override async Task<RemoveImageResponse> RemoveImage(RemoveImageRequest request, ServerCallContext context)
    {
        // Removing an image that is not there succeeds: the caller's goal is already met.
        await images.RemoveAsync(request.Image?.Image ?? string.Empty, context.CancellationToken);
        return new RemoveImageResponse();
    }
}

using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriImageService
{
    public override async Task<ImageStatusResponse> ImageStatus(ImageStatusRequest request, ServerCallContext context)
    {
        var record = images.Find(request.Image?.Image ?? string.Empty);
        if (record is null)
        {
            // CRI: an absent image is a normal answer (image unset), not an error.
            return new ImageStatusResponse();
        }

        var config = await images.ReadConfigAsync(record, context.CancellationToken);
        var response = new ImageStatusResponse { Image = CriImageMapper.ToCri(record, config) };
        if (request.Verbose)
        {
            response.Info["info"] = CriImageMapper.VerboseInfo(record, config);
        }

        return response;
    }
}

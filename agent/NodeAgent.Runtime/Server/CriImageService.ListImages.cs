using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriImageService
{
    public override async Task<ListImagesResponse> ListImages(ListImagesRequest request, ServerCallContext context)
    {
        var filter = request.Filter?.Image?.Image;
        var records = string.IsNullOrEmpty(filter)
            ? images.List()
            : images.Find(filter) is { } match ? [match] : [];
        var response = new ListImagesResponse();
        foreach (var record in records)
        {
            response.Images.Add(CriImageMapper.ToCri(record, await images.ReadConfigAsync(record, context.CancellationToken)));
        }

        return response;
    }
}

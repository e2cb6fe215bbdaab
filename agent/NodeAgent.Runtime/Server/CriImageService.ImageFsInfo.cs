using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriImageService
{
    public override async Task<ImageFsInfoResponse> ImageFsInfo(ImageFsInfoRequest request, ServerCallContext context)
    {
        var usage = await images.UsageAsync(context.CancellationToken);
        var filesystem = new FilesystemUsage
        {
            Timestamp = usage.Timestamp.ToUnixTimeMilliseconds() * 1_000_000,
            FsId = new FilesystemIdentifier { Mountpoint = usage.Mountpoint },
            UsedBytes = new UInt64Value { Value = (ulong)usage.UsedBytes },
            InodesUsed = new UInt64Value { Value = (ulong)usage.InodesUsed },
        };
        return new ImageFsInfoResponse { ImageFilesystems = { filesystem } };
    }
}

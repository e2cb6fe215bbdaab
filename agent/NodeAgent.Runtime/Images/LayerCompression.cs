using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Images;

/// <summary>How a layer blob is compressed, decided by its media type.</summary>
public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}

public static class LayerMediaTypes
{
    /// <summary>Maps a layer media type to its compression; throws for anything that is not a layer.</summary>
    public static LayerCompression CompressionOf(string mediaType) => mediaType switch
    {
        OciMediaTypes.Layer or OciMediaTypes.NonDistributableLayer => LayerCompression.None,
        OciMediaTypes.LayerGzip or OciMediaTypes.NonDistributableLayerGzip or OciMediaTypes.DockerLayerGzip or OciMediaTypes.DockerForeignLayerGzip => LayerCompression.Gzip,
        OciMediaTypes.LayerZstd => LayerCompression.Zstd,
        _ => throw new RuntimeException(RuntimeErrorKind.Invalid, $"unsupported layer media type '{mediaType}'"),
    };
}

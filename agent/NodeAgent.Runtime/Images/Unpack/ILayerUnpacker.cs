namespace NodeAgent.Runtime.Images.Unpack;

/// <summary>What unpacking one layer produced: the uncompressed digest (OCI diff_id) and its size.</summary>
public sealed record UnpackResult(string DiffId, long UncompressedSize, long FileCount);

/// <summary>
/// Applies one layer (tar, gzip or zstd) into a directory in overlayfs form: <c>.wh.NAME</c>
/// becomes a 0/0 character device, <c>.wh..wh..opq</c> an opaque-dir xattr. Ownership, modes,
/// xattrs and mtimes are preserved. Anything that would write outside the directory (.., absolute
/// or escaping symlinks/hardlinks, device nodes other than whiteouts) is refused with
/// <see cref="UnsafeLayerException"/>, and nothing is written outside.
/// </summary>
public interface ILayerUnpacker
{
    Task<UnpackResult> UnpackAsync(Stream layer, LayerCompression compression, string targetDirectory, CancellationToken cancellationToken);
}

public sealed class UnsafeLayerException : Exception
{
    public UnsafeLayerException(string message)
        : base(message)
    {
    }

    public UnsafeLayerException()
    {
    }

    public UnsafeLayerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace NodeAgent.Runtime.Images.Pull;

/// <summary>A progress report for one pull: bytes fetched so far of all blobs that had to be fetched.</summary>
public sealed record PullProgress(string Reference, long BytesDone, long BytesTotal, string Phase);

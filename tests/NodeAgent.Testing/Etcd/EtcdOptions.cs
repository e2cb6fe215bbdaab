namespace NodeAgent.Testing.Etcd;

/// <summary>How a test etcd is started.</summary>
public sealed record EtcdOptions
{
    public static EtcdOptions Default { get; } = new();

    /// <summary>Debian's etcd (package <c>etcd-server</c>).</summary>
    public string EtcdBinary { get; init; } = "/usr/bin/etcd";

    /// <summary>
    /// How often etcd sends progress notifications to idle watchers (its default is 10 minutes; tests that
    /// wait for one should not).
    /// </summary>
    public TimeSpan ProgressNotifyInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

namespace NodeAgent.Api.Security;

/// <summary>Where the server keeps its credentials; every path derives from the data dir.</summary>
public sealed record SecurityPaths(string DataDir)
{
    public string TlsDir => Path.Combine(DataDir, "tls");

    public string CaCertificate => Path.Combine(TlsDir, "ca.crt");

    public string CaKey => Path.Combine(TlsDir, "ca.key");

    public string ServingCertificate => Path.Combine(TlsDir, "serving.crt");

    public string ServingKey => Path.Combine(TlsDir, "serving.key");

    public string AdminCertificate => Path.Combine(TlsDir, "admin.crt");

    public string AdminKey => Path.Combine(TlsDir, "admin.key");

    /// <summary>The key that signs service-account tokens (upstream's sa.key), generated at first start.</summary>
    public string ServiceAccountKey => Path.Combine(TlsDir, "sa.key");

    /// <summary>The admin bearer token, generated at first start.</summary>
    public string AdminToken => Path.Combine(DataDir, "admin.token");

    /// <summary>Optional static tokens (upstream's <c>--token-auth-file</c> CSV format), read at start.</summary>
    public string TokensFile => Path.Combine(DataDir, "tokens.csv");
}

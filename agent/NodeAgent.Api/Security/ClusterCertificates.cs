using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Api.Security;

/// <summary>
/// The server's certificates under <c>&lt;data-dir&gt;/tls/</c>: the CA (kept for its 10 years so
/// kubeconfigs stay valid across restarts), the serving certificate and the admin client
/// certificate. Leaves are reissued when they near expiry, when the CA changed, and (serving)
/// when the wanted names changed.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    public const string CaCommonName = "nodeagent-ca";
    public const string ServingCommonName = "nodeagent-apiserver";

    /// <summary>The admin client certificate's user and group (upstream's superuser group).</summary>
    public const string AdminUser = "system:admin";

    /// <summary>Leaves this close to expiry are reissued at start (k3s renews within 90 days too).</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(90);

    private ClusterCertificates(CertificateAuthority authority, X509Certificate2 serving, X509Certificate2 adminClient, bool created, bool servingIssued)
    {
        Authority = authority;
        Serving = serving;
        AdminClient = adminClient;
        CreatedAuthority = created;
        IssuedServing = servingIssued;
    }

    public CertificateAuthority Authority { get; }

    public X509Certificate2 Serving { get; }

    public X509Certificate2 AdminClient { get; }

    /// <summary>True when this start created a new CA (first start, or the old one expired).</summary>
    public bool CreatedAuthority { get; }

    /// <summary>True when this start issued a new serving certificate.</summary>
    public bool IssuedServing { get; }

    public static ClusterCertificates LoadOrCreate(SecurityPaths paths, ServingCertificateNames names, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(names);
        Directory.CreateDirectory(paths.TlsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (authority, created) = LoadOrCreateAuthority(paths, now);
        try
        {
            var serving = Load(paths.ServingCertificate, paths.ServingKey);
            var servingIssued = false;
            if (serving is null || NeedsReissue(authority, serving, CertificateAuthority.ServerAuthOid, now)
                || !names.SameAs(CertificateAuthority.DnsNamesOf(serving), CertificateAuthority.IpAddressesOf(serving)))
            {
                serving?.Dispose();
                serving = authority.IssueServingCertificate(ServingCommonName, names, now);
                Save(serving, paths.ServingCertificate, paths.ServingKey);
                servingIssued = true;
            }

            var admin = Load(paths.AdminCertificate, paths.AdminKey);
            if (admin is null || NeedsReissue(authority, admin, CertificateAuthority.ClientAuthOid, now))
            {
                admin?.Dispose();
                admin = authority.IssueClientCertificate(AdminUser, [ApiGroups.Masters], now, now + CertificateAuthority.LeafValidity);
                Save(admin, paths.AdminCertificate, paths.AdminKey);
            }

            return new ClusterCertificates(authority, serving, admin, created, servingIssued);
        }
        catch
        {
            authority.Dispose();
            throw;
        }
    }

    /// <summary>Loads the CA certificate alone (no key), e.g. for <c>nodeagent kubeconfig</c>; null when absent.</summary>
    public static X509Certificate2? LoadAuthorityCertificate(SecurityPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return File.Exists(paths.CaCertificate) ? X509Certificate2.CreateFromPem(File.ReadAllText(paths.CaCertificate)) : null;
    }

    /// <summary>PEM of a certificate alone (for kubeconfigs' <c>*-data</c> fields and <c>ca.crt</c>).</summary>
    public static string CertificatePem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>PKCS#8 PEM of the certificate's ECDSA private key.</summary>
    public static string PrivateKeyPem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("the certificate has no ECDSA private key", nameof(certificate));
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    public void Dispose()
    {
        Serving.Dispose();
        AdminClient.Dispose();
        Authority.Dispose();
    }

    private static (CertificateAuthority Authority, bool Created) LoadOrCreateAuthority(SecurityPaths paths, DateTimeOffset now)
    {
        var existing = Load(paths.CaCertificate, paths.CaKey);
        if (existing is not null && existing.NotAfter.ToUniversalTime() > now.UtcDateTime)
        {
            return (new CertificateAuthority(existing), false);
        }

        existing?.Dispose();
        var created = CertificateAuthority.Create(CaCommonName, now);
        Save(created.Certificate, paths.CaCertificate, paths.CaKey);
        return (created, true);
    }

    private static bool NeedsReissue(CertificateAuthority authority, X509Certificate2 leaf, string usageOid, DateTimeOffset now)
        => leaf.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore || !authority.HasIssued(leaf, now, usageOid);

    /// <summary>Null when either file is missing or unreadable as PEM (a torn file from an old crash is reissued, not fatal).</summary>
    private static X509Certificate2? Load(string certificatePath, string keyPath)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Key first: a certificate on disk always has its key next to it.</summary>
    private static void Save(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        PrivateFile.WriteAllText(keyPath, PrivateKeyPem(certificate));
        PrivateFile.WriteAllText(certificatePath, CertificatePem(certificate));
    }
}

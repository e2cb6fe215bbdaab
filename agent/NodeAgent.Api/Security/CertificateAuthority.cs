using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Api.Security;

/// <summary>
/// The cluster CA: a self-signed ECDSA P-256 certificate that signs the serving certificate and
/// client certificates. Owns <see cref="Certificate"/> (with its private key).
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    public static readonly TimeSpan LeafValidity = TimeSpan.FromDays(365);

    /// <summary>Clocks drift; a certificate valid from a minute ago is not rejected by a slightly late peer.</summary>
    private static readonly TimeSpan BackdateBy = TimeSpan.FromMinutes(5);

    public CertificateAuthority(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("the CA certificate must carry its private key", nameof(certificate));
        }

        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public static CertificateAuthority Create(string commonName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new CertificateAuthority(request.CreateSelfSigned(now - BackdateBy, now + CaValidity));
    }

    /// <summary>A serving certificate for the given names (EKU serverAuth).</summary>
    public X509Certificate2 IssueServingCertificate(string commonName, ServingCertificateNames names, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(names);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in names.DnsNames)
        {
            san.AddDnsName(dns);
        }

        foreach (var ip in names.IpAddresses)
        {
            san.AddIpAddress(ip);
        }

        return Issue(new X500DistinguishedName($"CN={commonName}"), ServerAuthOid, san.Build(), now, now + LeafValidity);
    }

    /// <summary>
    /// A client certificate: the API takes the user name from CN and the groups from the O values
    /// (e.g. <c>system:masters</c>), as upstream does.
    /// </summary>
    public X509Certificate2 IssueClientCertificate(string user, IReadOnlyList<string> groups, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(groups);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups)
        {
            subject.AddOrganizationName(group);
        }

        subject.AddCommonName(user);
        return Issue(subject.Build(), ClientAuthOid, subjectAlternativeNames: null, notBefore, notAfter);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this CA (signature, validity at <paramref name="at"/>).</summary>
    public bool HasIssued(X509Certificate2 certificate, DateTimeOffset at, string? requiredUsageOid = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (requiredUsageOid is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(requiredUsageOid));
        }

        try
        {
            return chain.Build(certificate)
                   && chain.ChainElements.Count == 2
                   && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Certificate.RawDataMemory.Span);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    public void Dispose() => Certificate.Dispose();

    private X509Certificate2 Issue(
        X500DistinguishedName subject, string usageOid, X509Extension? subjectAlternativeNames, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        if (subjectAlternativeNames is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeNames);
        }

        // The CA must outlive what it signs.
        var until = notAfter < Certificate.NotAfter ? notAfter : new DateTimeOffset(Certificate.NotAfter);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(Certificate, ClampNotBefore(notBefore - BackdateBy), until, serial);
        return signed.CopyWithPrivateKey(key);
    }

    private DateTimeOffset ClampNotBefore(DateTimeOffset notBefore)
        => notBefore > Certificate.NotBefore ? notBefore : new DateTimeOffset(Certificate.NotBefore);

    public static IReadOnlyList<IPAddress> IpAddressesOf(X509Certificate2 certificate)
        => SubjectAlternativeNames(certificate).SelectMany(e => e.EnumerateIPAddresses()).ToList();

    public static IReadOnlyList<string> DnsNamesOf(X509Certificate2 certificate)
        => SubjectAlternativeNames(certificate).SelectMany(e => e.EnumerateDnsNames()).ToList();

    private static IEnumerable<X509SubjectAlternativeNameExtension> SubjectAlternativeNames(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions
            .Where(e => e.Oid?.Value == "2.5.29.17")
            .Select(e => e as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(e.RawData, e.Critical));
    }
}

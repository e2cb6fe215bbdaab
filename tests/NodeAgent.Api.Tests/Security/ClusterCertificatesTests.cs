using System.Net;
using System.Security.Cryptography.X509Certificates;
using NodeAgent.Api.Security;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Security;

public sealed class ClusterCertificatesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPNetwork ServiceCidr = IPNetwork.Parse("10.67.0.0/16");

    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    private SecurityPaths Paths => new(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void First_start_creates_a_ten_year_ca_that_can_only_sign()
    {
        using var certificates = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now);

        var ca = certificates.Authority.Certificate;
        Assert.True(certificates.CreatedAuthority);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.InRange((ca.NotAfter.ToUniversalTime() - Now.UtcDateTime).TotalDays, 3649, 3651);
        Assert.Equal(ca.SubjectName.Name, ca.IssuerName.Name);
    }

    [Fact]
    public void Serving_certificate_carries_every_name_clients_use()
    {
        var names = ServingCertificateNames.For("Node1", IPAddress.Parse("127.0.0.2"), ServiceCidr);
        using var certificates = ClusterCertificates.LoadOrCreate(Paths, names, Now);

        var serving = certificates.Serving;
        Assert.Equal(
            ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost", "node1"],
            CertificateAuthority.DnsNamesOf(serving).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["10.67.0.1", "127.0.0.1", "127.0.0.2", "::1"],
            CertificateAuthority.IpAddressesOf(serving).Select(ip => ip.ToString()).Order(StringComparer.Ordinal));
        Assert.True(serving.HasPrivateKey);
        Assert.False(serving.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Contains(serving.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            oid => oid.Value == CertificateAuthority.ServerAuthOid);
        Assert.True(certificates.Authority.HasIssued(serving, Now, CertificateAuthority.ServerAuthOid));
        Assert.InRange((serving.NotAfter.ToUniversalTime() - Now.UtcDateTime).TotalDays, 364, 366);
    }

    [Fact]
    public void A_wildcard_bind_address_is_not_a_name()
    {
        var names = ServingCertificateNames.For("node1", IPAddress.Any, ServiceCidr);

        Assert.Equal(["10.67.0.1", "127.0.0.1", "::1"], names.IpAddresses.Select(ip => ip.ToString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("10.67.0.0/16", "10.67.0.1")]
    [InlineData("10.96.0.0/12", "10.96.0.1")]
    [InlineData("fd00:10:96::/108", "fd00:10:96::1")]
    public void First_service_ip_is_the_network_address_plus_one(string cidr, string expected)
        => Assert.Equal(IPAddress.Parse(expected), ServingCertificateNames.FirstServiceIp(IPNetwork.Parse(cidr)));

    [Fact]
    public void Admin_client_certificate_is_a_system_masters_client()
    {
        using var certificates = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now);

        var admin = certificates.AdminClient;
        var user = new ClientCertificateAuthenticator(certificates.Authority, new FixedTime(Now.AddDays(1))).Authenticate(admin);
        Assert.NotNull(user);
        Assert.Equal("system:admin", user.Name);
        Assert.Contains("system:masters", user.Groups);
    }

    [Fact]
    public void Keys_and_certificates_are_private_files_in_a_private_directory()
    {
        using var certificates = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Paths.TlsDir));
        string[] files = [Paths.CaCertificate, Paths.CaKey, Paths.ServingCertificate, Paths.ServingKey, Paths.AdminCertificate, Paths.AdminKey];
        Assert.All(files, file => Assert.Equal(PrivateFile.OwnerOnly, File.GetUnixFileMode(file)));
        Assert.Equal(files.Order(StringComparer.Ordinal), Directory.GetFiles(Paths.TlsDir).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Restart_reuses_everything_when_nothing_changed()
    {
        string ca, serving, admin;
        using (var first = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now))
        {
            (ca, serving, admin) = (first.Authority.Certificate.Thumbprint, first.Serving.Thumbprint, first.AdminClient.Thumbprint);
        }

        using var second = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now.AddDays(30));

        Assert.False(second.CreatedAuthority);
        Assert.False(second.IssuedServing);
        Assert.Equal(ca, second.Authority.Certificate.Thumbprint);
        Assert.Equal(serving, second.Serving.Thumbprint);
        Assert.Equal(admin, second.AdminClient.Thumbprint);
        Assert.True(second.Authority.Certificate.HasPrivateKey);
    }

    [Fact]
    public void Serving_certificate_is_reissued_by_the_same_ca_when_names_change()
    {
        string ca, serving;
        using (var first = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now))
        {
            (ca, serving) = (first.Authority.Certificate.Thumbprint, first.Serving.Thumbprint);
        }

        using var second = ClusterCertificates.LoadOrCreate(Paths, Names("node2"), Now);

        Assert.True(second.IssuedServing);
        Assert.Equal(ca, second.Authority.Certificate.Thumbprint);
        Assert.NotEqual(serving, second.Serving.Thumbprint);
        Assert.Contains("node2", CertificateAuthority.DnsNamesOf(second.Serving));
        using var reloaded = X509Certificate2.CreateFromPem(File.ReadAllText(Paths.ServingCertificate));
        Assert.Equal(second.Serving.Thumbprint, reloaded.Thumbprint);
    }

    [Fact]
    public void Leaves_near_expiry_are_reissued_and_the_ca_kept()
    {
        string ca, serving, admin;
        using (var first = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now))
        {
            (ca, serving, admin) = (first.Authority.Certificate.Thumbprint, first.Serving.Thumbprint, first.AdminClient.Thumbprint);
        }

        var later = Now.AddDays(300);
        using var second = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), later);

        Assert.Equal(ca, second.Authority.Certificate.Thumbprint);
        Assert.NotEqual(serving, second.Serving.Thumbprint);
        Assert.NotEqual(admin, second.AdminClient.Thumbprint);
        Assert.InRange((second.Serving.NotAfter.ToUniversalTime() - later.UtcDateTime).TotalDays, 364, 366);
    }

    [Fact]
    public void A_torn_serving_certificate_is_reissued_not_fatal()
    {
        using (ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now))
        {
        }

        File.WriteAllText(Paths.ServingCertificate, "-----BEGIN CERTIFICATE-----\nMIIB");
        using var second = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now);

        Assert.True(second.IssuedServing);
        Assert.False(second.CreatedAuthority);
    }

    [Fact]
    public void A_serving_certificate_from_another_ca_is_replaced()
    {
        using (ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now))
        {
        }

        using var other = CertificateAuthority.Create("other", Now);
        using var foreign = other.IssueServingCertificate("x", Names("node1"), Now);
        File.WriteAllText(Paths.ServingCertificate, ClusterCertificates.CertificatePem(foreign));
        File.WriteAllText(Paths.ServingKey, ClusterCertificates.PrivateKeyPem(foreign));

        using var second = ClusterCertificates.LoadOrCreate(Paths, Names("node1"), Now);

        Assert.True(second.IssuedServing);
        Assert.True(second.Authority.HasIssued(second.Serving, Now, CertificateAuthority.ServerAuthOid));
    }

    private static ServingCertificateNames Names(string node) => ServingCertificateNames.For(node, IPAddress.Loopback, ServiceCidr);
}

using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Security;

/// <summary>
/// TLS client certificates signed by our CA, valid now, and usable for client authentication
/// (EKU clientAuth): the user is the subject's CN and the groups are its O values, as upstream.
/// TLS accepts any certificate (see ApiServer); this is where it is judged.
/// </summary>
public sealed class ClientCertificateAuthenticator : IApiAuthenticator
{
    private const string OrganizationOid = "2.5.4.10";

    private readonly CertificateAuthority _authority;
    private readonly TimeProvider _time;

    /// <param name="authority">Only its certificate is used; its key is not needed.</param>
    public ClientCertificateAuthenticator(CertificateAuthority authority, TimeProvider time)
    {
        _authority = authority ?? throw new ArgumentNullException(nameof(authority));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public ValueTask<ApiUser?> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificate = context.Connection.ClientCertificate;
        return ValueTask.FromResult(certificate is null ? null : Authenticate(certificate));
    }

    /// <summary>The user of a verified certificate; null when it is not ours, expired, not for clients or has no CN.</summary>
    public ApiUser? Authenticate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!_authority.HasIssued(certificate, _time.GetUtcNow(), CertificateAuthority.ClientAuthOid))
        {
            return null;
        }

        var user = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (string.IsNullOrEmpty(user))
        {
            return null;
        }

        var organizations = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == OrganizationOid)
            .Select(rdn => rdn.GetSingleElementValue())
            .OfType<string>();
        return new ApiUser(user, TokenAuthenticator.WithAuthenticated(organizations));
    }
}

using System.Security.Cryptography.X509Certificates;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace Actors.Security;

/// <summary>
/// Mutual TLS for Akka.Remote: this process presents its certificate and accepts a peer only
/// if the peer's certificate chains to the cluster's own CA (<c>ca.crt</c>) and is in its
/// validity period — not by the OS trust store. A plain-TCP peer fails the handshake.
/// </summary>
public sealed class TlsSettings
{
    private TlsSettings(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    public X509Certificate2 Certificate { get; }
    public X509Certificate2 Authority { get; }

    /// <summary>HOCON that turns TLS on for the transport (the certificate comes by <see cref="Setup"/>).</summary>
    public static Config Hocon { get; } = ConfigurationFactory.ParseString(
        "akka.remote.dot-netty.tcp.enable-ssl = on\nakka.remote.dot-netty.tcp.ssl.suppress-validation = off");

    /// <summary>
    /// Loads <c>ca.crt</c> and <paramref name="certificateFile"/> (<c>node.pfx</c> or
    /// <c>client.pfx</c>) from a directory made by <see cref="Certificates.Create"/>.
    /// Throws <see cref="FormatException"/> with a clear message when they cannot be used.
    /// </summary>
    public static TlsSettings Load(string directory, string certificateFile, string? password = null)
    {
        password ??= Environment.GetEnvironmentVariable(Certificates.PasswordVariable) ?? "";
        var authorityPath = Path.Combine(directory, Certificates.AuthorityFile);
        var certificatePath = Path.Combine(directory, certificateFile);
        try
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(authorityPath);
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            if (!certificate.HasPrivateKey)
            {
                throw new FormatException($"{certificatePath} holds no private key");
            }

            var settings = new TlsSettings(certificate, authority);
            if (!settings.IsIssuedByAuthority(certificate))
            {
                throw new FormatException($"{certificatePath} is not issued by {authorityPath}, or is expired");
            }

            return settings;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new FormatException($"cannot load the TLS certificates in {directory} ({e.Message}); make them with the `certs` verb " +
                                      $"(password from {Certificates.PasswordVariable})", e);
        }
    }

    /// <summary>How long until this process's certificate expires.</summary>
    public TimeSpan ExpiresIn => Certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow;

    /// <summary>
    /// The transport's TLS setup: mutual authentication, peers validated against the CA only and
    /// accepted only with one of <paramref name="acceptedUnits"/> as their certificate's OU
    /// (<see cref="Certificates.MemberUnit"/> on the cluster port, members and clients on a
    /// node's client endpoint); refused peers logged once per <paramref name="offenceInterval"/> each.
    /// </summary>
    public Setup Setup(TimeSpan offenceInterval, params string[] acceptedUnits)
    {
        OffenceLog? refusals = null;
        return new DotNettySslSetup(Certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false,
            // The OS verdict (SslPolicyErrors) is ignored on purpose: it knows no private CA. The CA alone decides.
            customValidator: (peer, _, remote, _, log) =>
            {
                var refusal = peer is null ? "a TLS peer without a certificate"
                    : !IsIssuedByAuthority(peer) ? $"a TLS peer certificate not issued by this cluster's CA ({peer.Subject})"
                    : !acceptedUnits.Contains(UnitOf(peer)) ? $"a TLS peer certificate for {UnitOf(peer) ?? "no role"} where only {string.Join(" or ", acceptedUnits)} may connect"
                    : null;
                if (refusal is null)
                {
                    return true;
                }

                refusals ??= new OffenceLog(log, offenceInterval);
                refusals.Report(refusal, remote ?? "unknown");
                return false;
            });
    }

    /// <summary>The certificate's OU: what its holder is (<see cref="Certificates.MemberUnit"/> or <see cref="Certificates.ClientUnit"/>).</summary>
    public static string? UnitOf(X509Certificate2 certificate)
    {
        const string organizationalUnit = "2.5.4.11";
        return certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(n => n.GetSingleElementType().Value == organizationalUnit)
            .Select(n => n.GetSingleElementValue())
            .FirstOrDefault();
    }

    /// <summary>True when <paramref name="certificate"/> chains to the CA and is valid now.</summary>
    public bool IsIssuedByAuthority(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        return chain.Build(certificate) &&
               chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span);
    }
}

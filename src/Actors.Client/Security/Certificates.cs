using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Actors.Security;

/// <summary>
/// Makes a cluster's own certificate authority and the certificates its nodes and clients
/// present (the Host's <c>certs</c> verb), with System.Security.Cryptography only. Peers
/// accept each other only by this CA (<see cref="TlsSettings"/>), never by the OS trust store.
/// </summary>
public static class Certificates
{
    public const string AuthorityFile = "ca.crt";
    public const string AuthorityKeyFile = "ca.pfx";
    public const string NodeFile = "node.pfx";
    public const string ClientFile = "client.pfx";

    /// <summary>Where certificate files take their password from; empty when unset.</summary>
    public const string PasswordVariable = "ACTORS_TLS_PASSWORD";

    /// <summary>Organizational units that tell a member's certificate from a client's.</summary>
    public const string MemberUnit = "actors-member";
    public const string ClientUnit = "actors-client";

    /// <summary>
    /// Writes <c>ca.crt</c> (public), <c>ca.pfx</c> (the CA's key, to issue more; keep it off the
    /// nodes), <c>node.pfx</c> (valid for <paramref name="hosts"/>) and <c>client.pfx</c> into
    /// <paramref name="directory"/>. Private keys are readable by the owner only.
    /// </summary>
    public static IReadOnlyList<string> Create(string directory, IReadOnlyList<string> hosts, TimeSpan validity, string? password = null)
    {
        password ??= Environment.GetEnvironmentVariable(PasswordVariable) ?? "";
        Directory.CreateDirectory(directory);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore + validity;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Actors cluster CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var node = Issue(ca, $"CN=actors-node, OU={MemberUnit}", hosts, notBefore, notAfter);
        using var client = Issue(ca, $"CN=actors-client, OU={ClientUnit}", [], notBefore, notAfter);
        var written = new List<string>
        {
            Write(directory, AuthorityFile, System.Text.Encoding.ASCII.GetBytes(ca.ExportCertificatePem()), secret: false),
            Write(directory, AuthorityKeyFile, ca.Export(X509ContentType.Pkcs12, password), secret: true),
            Write(directory, NodeFile, node.Export(X509ContentType.Pkcs12, password), secret: true),
            Write(directory, ClientFile, client.Export(X509ContentType.Pkcs12, password), secret: true),
        };
        return written;
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, IReadOnlyList<string> hosts,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Both ends of an Akka.Remote connection may open it: every certificate serves and connects.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (hosts.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var host in hosts)
            {
                if (IPAddress.TryParse(host, out var ip))
                {
                    names.AddIpAddress(ip);
                }
                else
                {
                    names.AddDnsName(host);
                }
            }

            request.CertificateExtensions.Add(names.Build());
        }

        using var issued = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    private static string Write(string directory, string name, byte[] content, bool secret)
    {
        var path = Path.Combine(directory, name);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(content);
        }

        if (secret && !OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies to new files only: an overwritten key file is narrowed too.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}

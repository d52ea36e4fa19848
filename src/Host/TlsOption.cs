using System.CommandLine;
using Actors.Security;

namespace Actors.Host;

/// <summary>The <c>--tls DIR</c> option of every verb that talks to a node, and what it loads.</summary>
internal static class TlsOption
{
    public static Option<DirectoryInfo?> Create(bool recursive, string file) => new("--tls")
    {
        Description = $"Mutual TLS with the certificates the `certs` verb made in DIR (ca.crt, {file}; password from ${Certificates.PasswordVariable})",
        Recursive = recursive,
    };

    /// <summary>The settings from the option's directory, or null without it. Throws <see cref="FormatException"/>.</summary>
    public static TlsSettings? Load(ParseResult result, Option<DirectoryInfo?> option, string file) =>
        result.GetValue(option) is { } directory ? TlsSettings.Load(directory.FullName, file) : null;
}

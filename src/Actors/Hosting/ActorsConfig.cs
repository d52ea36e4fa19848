using System.Text;
using Akka.Configuration;

namespace Actors.Hosting;

/// <summary>The HOCON files of <c>hocon/</c>, embedded in this assembly, and HOCON rendered from code.</summary>
public static class ActorsConfig
{
    /// <summary><c>hocon/wire.conf</c>: what nodes and clients share (serializers, transport).</summary>
    public static Config Wire { get; } = Load("wire.conf");

    /// <summary><c>hocon/node.conf</c> over <c>hocon/wire.conf</c>: every node default.</summary>
    public static Config Node { get; } = Load("node.conf").WithFallback(Wire);

    /// <summary><c>hocon/client.conf</c> over <c>hocon/wire.conf</c>: what a client actor system needs.</summary>
    public static Config Client { get; } = Load("client.conf").WithFallback(Wire);

    /// <summary><c>hocon/postgres.conf</c>: the journal settings that differ on PostgreSQL.</summary>
    public static Config Postgres { get; } = Load("postgres.conf");

    private static Config Load(string file)
    {
        using var stream = typeof(ActorsConfig).Assembly.GetManifestResourceStream($"Actors.hocon.{file}")
                           ?? throw new InvalidOperationException($"hocon/{file} is not embedded in the Actors assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>The address scheme of a system with this config: <c>akka.ssl.tcp</c> with TLS on, else <c>akka.tcp</c>.</summary>
    public static string Scheme(Config config) => Scheme(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));

    /// <summary>The address scheme with TLS on or off.</summary>
    public static string Scheme(bool tls) => tls ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>Quotes a string for HOCON.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

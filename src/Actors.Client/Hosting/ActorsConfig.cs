using System.Reflection;
using System.Text;
using Akka.Configuration;

namespace Actors.Hosting;

/// <summary>The HOCON a client shares with the nodes (<c>hocon/wire.conf</c>, <c>hocon/client.conf</c>), and HOCON rendered from code.</summary>
public static class ActorsConfig
{
    /// <summary><c>hocon/wire.conf</c>: what nodes and clients share (serializers, transport).</summary>
    public static Config Wire { get; } = Load(typeof(ActorsConfig).Assembly, "wire.conf");

    /// <summary><c>hocon/client.conf</c> over <c>hocon/wire.conf</c>: what a client actor system needs.</summary>
    public static Config Client { get; } = Load(typeof(ActorsConfig).Assembly, "client.conf").WithFallback(Wire);

    /// <summary>A file of <c>hocon/</c> embedded in <paramref name="assembly"/> (each package carries the files it reads).</summary>
    internal static Config Load(Assembly assembly, string file)
    {
        using var stream = assembly.GetManifestResourceStream($"Actors.hocon.{file}")
                           ?? throw new InvalidOperationException($"hocon/{file} is not embedded in {assembly.GetName().Name}");
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

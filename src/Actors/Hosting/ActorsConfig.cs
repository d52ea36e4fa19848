using System.Reflection;
using System.Text;
using Actors.Protocol;
using Akka.Configuration;

namespace Actors.Hosting;

/// <summary>The HOCON files of <c>hocon/</c>, embedded in this assembly, and HOCON rendered from code.</summary>
public static class ActorsConfig
{
    /// <summary><c>hocon/node.conf</c>: every node default.</summary>
    public static Config Node { get; } = Load("node.conf");

    /// <summary><c>hocon/client.conf</c>: what a client actor system needs.</summary>
    public static Config Client { get; } = Load("client.conf");

    private static Config Load(string file)
    {
        using var stream = typeof(ActorsConfig).Assembly.GetManifestResourceStream($"Actors.hocon.{file}")
                           ?? throw new InvalidOperationException($"hocon/{file} is not embedded in the Actors assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>
    /// Hyperion's allow-list: the concrete message types of the given assemblies. Anything else
    /// that arrives is refused by the serializer, before any of its code runs.
    /// </summary>
    public static Config HyperionAllowList(IEnumerable<Assembly> protocolAssemblies)
    {
        var types = protocolAssemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false } &&
                        typeof(IActorsMessage).IsAssignableFrom(t))
            // Enums and nested records our messages carry.
            .Append(typeof(ErrorCode))
            .Select(t => $"\"{t.FullName}, {t.Assembly.GetName().Name}\"")
            .Distinct()
            .Order(StringComparer.Ordinal);
        return ConfigurationFactory.ParseString(
            $"actors.serialization.allowed-types = [{string.Join(", ", types)}]");
    }

    /// <summary>Quotes a string for HOCON.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

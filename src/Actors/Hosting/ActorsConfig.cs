using System.Reflection;
using System.Text;
using Actors.Protocol;
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

    /// <summary>
    /// The protocol serializer's allow-list: the concrete message types of the given assemblies
    /// and what their properties carry (records and enums of those assemblies, BCL value types
    /// such as TimeSpan or Guid). Anything else that arrives is refused before any of its code runs.
    /// </summary>
    public static Config HyperionAllowList(IEnumerable<Assembly> protocolAssemblies)
    {
        var assemblies = protocolAssemblies.ToHashSet();
        var roots = assemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false } &&
                        typeof(IActorsMessage).IsAssignableFrom(t));
        var names = CarriedTypes(roots, assemblies)
            .Select(t => $"\"{t.FullName}, {t.Assembly.GetName().Name}\"")
            .Order(StringComparer.Ordinal);
        return ConfigurationFactory.ParseString(
            $"actors.serialization.registered-types = [{string.Join(", ", names)}]");
    }

    private static HashSet<Type> CarriedTypes(IEnumerable<Type> roots, HashSet<Assembly> ours)
    {
        var allowed = new HashSet<Type>();
        var pending = new Stack<Type>(roots);
        while (pending.TryPop(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? (type.IsArray ? type.GetElementType()! : type);
            if (type.IsPrimitive || type == typeof(string) || type.IsGenericParameter)
            {
                continue;
            }

            if (type.IsGenericType)
            {
                // Generic containers are not listed (their names are not matched); their arguments are.
                foreach (var argument in type.GetGenericArguments())
                {
                    pending.Push(argument);
                }

                continue;
            }

            var isOurs = ours.Contains(type.Assembly);
            if ((!isOurs && !type.IsValueType) || !allowed.Add(type) || !isOurs)
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                pending.Push(property.PropertyType);
            }
        }

        return allowed;
    }

    /// <summary>The address scheme of a system with this config: <c>akka.ssl.tcp</c> with TLS on, else <c>akka.tcp</c>.</summary>
    public static string Scheme(Config config) => Scheme(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));

    /// <summary>The address scheme with TLS on or off.</summary>
    public static string Scheme(bool tls) => tls ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>Quotes a string for HOCON.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

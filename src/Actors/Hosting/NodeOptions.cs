using System.Text;
using Akka.Configuration;

namespace Actors.Hosting;

/// <summary>
/// The per-node settings a person changes on the command line. A null member keeps the value
/// of <c>hocon/node.conf</c> (or of extra HOCON the host added); only set members are rendered.
/// </summary>
public sealed class NodeOptions
{
    public string? Hostname { get; set; }
    public int? Port { get; set; }

    /// <summary>Seed nodes as <c>host:port</c>. Empty or null: the node joins itself.</summary>
    public IReadOnlyList<string>? Seeds { get; set; }

    public IReadOnlyList<string>? Roles { get; set; }

    /// <summary>SQLite journal file; its snapshots go to a sibling <c>-snapshots.db</c> file.</summary>
    public string? SqlitePath { get; set; }

    public Config ToConfig()
    {
        var hocon = new StringBuilder();
        if (Hostname is not null)
        {
            hocon.AppendLine($"akka.remote.dot-netty.tcp.hostname = {ActorsConfig.Quote(Hostname)}");
        }

        if (Port is not null)
        {
            hocon.AppendLine($"akka.remote.dot-netty.tcp.port = {Port}");
        }

        if (Roles is not null)
        {
            hocon.AppendLine($"akka.cluster.roles = [{string.Join(", ", Roles.Select(ActorsConfig.Quote))}]");
        }

        if (SqlitePath is not null)
        {
            hocon.AppendLine($"actors.journal.sqlite-path = {ActorsConfig.Quote(SqlitePath)}");
        }

        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    /// <summary>Seed addresses of the form <c>akka.tcp://system@host:port</c>.</summary>
    public static IReadOnlyList<string> SeedAddresses(string systemName, IEnumerable<string> seeds) =>
        seeds.Select(seed =>
        {
            var (host, port) = ParseHostPort(seed);
            return $"akka.tcp://{systemName}@{host}:{port}";
        }).ToList();

    /// <summary>Parses <c>host:port</c>; throws <see cref="FormatException"/> with a clear message.</summary>
    public static (string Host, int Port) ParseHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{value}' is not host:port (e.g. 127.0.0.1:4053)");
        }

        return (value[..colon], port);
    }
}

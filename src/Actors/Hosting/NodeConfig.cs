using Akka.Configuration;

namespace Actors.Hosting;

/// <summary>The node's HOCON files of <c>hocon/</c>, embedded in this assembly, over what it shares with clients.</summary>
public static class NodeConfig
{
    /// <summary><c>hocon/node.conf</c> over <c>hocon/wire.conf</c>: every node default.</summary>
    public static Config Defaults { get; } = ActorsConfig.Load(typeof(NodeConfig).Assembly, "node.conf").WithFallback(ActorsConfig.Wire);

    /// <summary><c>hocon/postgres.conf</c>: the journal settings that differ on PostgreSQL.</summary>
    public static Config Postgres { get; } = ActorsConfig.Load(typeof(NodeConfig).Assembly, "postgres.conf");

    /// <summary>The journal plugin's id (node.conf's <c>akka.persistence.journal.plugin</c>), on SQLite and PostgreSQL.</summary>
    public const string JournalPlugin = "akka.persistence.journal.sql";

    /// <summary>The snapshot store plugin's id.</summary>
    public const string SnapshotPlugin = "akka.persistence.snapshot-store.sql";
}

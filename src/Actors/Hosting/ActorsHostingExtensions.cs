using Actors.Bootstrap;
using Actors.Gateway;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence.Sql;

namespace Actors.Hosting;

public static class ActorsHostingExtensions
{
    /// <summary>The actor system name every node and client uses (<c>actors.system-name</c>).</summary>
    public static string SystemName { get; } = NodeConfig.Defaults.GetString("actors.system-name");

    /// <summary>
    /// Wires a node: cluster member, journal, then, in order, its lanes (<see cref="LanesHosting"/>),
    /// entity types behind sharding (<see cref="EntityTypesHosting"/>), the gateway
    /// (<see cref="GatewayHosting"/>), the status actor (<see cref="NodeStatusHosting"/>), the drain
    /// on leave (<see cref="DrainOnLeave"/>), the endpoint clients connect to, and last the web
    /// ports (health probes, dashboard) when configured. Defaults come from
    /// <c>hocon/node.conf</c>; <paramref name="node"/> overrides per-node settings; HOCON the
    /// caller prepended before this call overrides the rest. The Host and the tests share it.
    /// </summary>
    public static AkkaConfigurationBuilder AddActors(this AkkaConfigurationBuilder builder,
        NodeOptions? node = null, Action<ActorsBuilder>? configure = null)
    {
        node ??= new NodeOptions();
        if (node.Discovery is not null && node.Seeds is { Count: > 0 })
        {
            throw new FormatException("a node finds its cluster by --seed or by --discovery, not both");
        }

        var actors = new ActorsBuilder();
        configure?.Invoke(actors);

        // Priority, highest first: per-node options, whatever the caller prepended, node.conf, module defaults.
        var sqlitePath = node.SqlitePath ?? NodeConfig.Defaults.GetString("actors.journal.sqlite-path");
        var journal = node.PostgresConnection is { } postgres
            ? PostgresJournal.ConnectionConfig(postgres)
            : SqliteJournal.Prepare(sqlitePath);
        if (node.PostgresConnection is { } connection)
        {
            builder.AddSetup(PostgresJournal.Connections(connection));
        }
        else
        {
            var durability = new SqliteDurability();
            builder.AddSetup(durability);
            builder.AddSetup(SqliteJournal.Connections(sqlitePath, durability));
        }

        builder.AddHocon(node.ToConfig()
                .WithFallback(journal)
                .WithFallback(Serialization.ProtocolTypes.For(actors.ProtocolAssemblies)),
            HoconAddMode.Prepend);
        // The gateway endpoint's port is fixed before the member starts: members learn it from this role.
        var endpointPort = node.Port ?? NodeConfig.Defaults.GetInt("actors.endpoint.port");
        if (endpointPort == 0)
        {
            endpointPort = StartChecks.FreePort(node.Hostname ?? NodeConfig.Defaults.GetString("akka.remote.dot-netty.tcp.hostname"));
        }

        var roles = (node.Roles ?? []).Append(FrontGateway.RolePrefix + endpointPort).Select(ActorsConfig.Quote);
        builder.AddHocon($"actors.endpoint.port = {endpointPort}\nakka.cluster.roles = [{string.Join(", ", roles)}]", HoconAddMode.Prepend);
        if (node.Seeds is { Count: > 0 } seeds)
        {
            var addresses = NodeOptions.SeedAddresses(SystemName, seeds, node.Tls is not null).Select(ActorsConfig.Quote);
            builder.AddHocon($"akka.cluster.seed-nodes = [{string.Join(", ", addresses)}]", HoconAddMode.Prepend);
        }

        if (node.PostgresConnection is not null)
        {
            // Over node.conf's SQLite settings, under anything the caller added.
            builder.AddHocon(NodeConfig.Postgres, HoconAddMode.Append);
        }

        if (node.Tls is { } tls)
        {
            builder.WithTls(tls);
        }

        builder.AddHocon(NodeConfig.Defaults, HoconAddMode.Append);
        builder.AddHocon(ClusterSharding.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(SqlPersistence.DefaultConfiguration, HoconAddMode.Append);

        if (node.PostgresConnection is not null)
        {
            // Before anything can start an entity, so before the plugins start (PostgresTables says
            // why); start-up waits for it, as a node without its tables has nothing to serve.
            builder.WithActors((system, _) =>
                Storage.PostgresTables.CreateAsync(system, NodeConfig.JournalPlugin, NodeConfig.SnapshotPlugin).GetAwaiter().GetResult());
        }

        var parts = new NodeParts();
        return builder
            .WithActors((system, _) =>
            {
                var cluster = Cluster.Get(system);
                if (node.Discovery is null && system.Settings.Config.GetStringList("akka.cluster.seed-nodes").Count == 0)
                {
                    // No seeds and no discovery: this node founds its own cluster (works with port 0 too).
                    // Under discovery the bootstrap decides which one member forms it.
                    cluster.Join(cluster.SelfAddress);
                }
            })
            .WithLanes(actors.Handlers, parts)
            .WithEntityTypes(actors.EntityTypes, parts)
            .WithGateway(parts)
            .WithNodeStatus(parts)
            .WithDrainOnLeave()
            .WithGatewayEndpoint(endpointPort, node.Tls, parts)
            .WithNodeWeb(parts, node.Tls)
            .WithBootstrap(node.Discovery, node.Tls);
    }
}

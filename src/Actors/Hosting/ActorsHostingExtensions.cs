using Actors.Entities;
using Actors.Gateway;
using Actors.Protocol;
using Actors.Telemetry;
using Actors.Workers;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Persistence.Sql;

namespace Actors.Hosting;

/// <summary>Marker under which the gateway is kept in Akka.Hosting's <see cref="ActorRegistry"/>.</summary>
public sealed class GatewayKey;

public static class ActorsHostingExtensions
{
    /// <summary>The actor system name every node and client uses (<c>actors.system-name</c>).</summary>
    public static string SystemName { get; } = ActorsConfig.Node.GetString("actors.system-name");

    /// <summary>
    /// Wires a node: cluster member, journal, lanes, entity types behind sharding, the gateway,
    /// and the gateway endpoint clients connect to (see <see cref="GatewayEndpoint"/>). Defaults come from
    /// <c>hocon/node.conf</c>; <paramref name="node"/> overrides per-node settings; HOCON the
    /// caller prepended before this call overrides the rest. The Host and the tests share it.
    /// </summary>
    public static AkkaConfigurationBuilder AddActors(this AkkaConfigurationBuilder builder,
        NodeOptions? node = null, Action<ActorsBuilder>? configure = null)
    {
        node ??= new NodeOptions();
        var actors = new ActorsBuilder();
        configure?.Invoke(actors);

        // Priority, highest first: per-node options, whatever the caller prepended, node.conf, module defaults.
        var journal = node.PostgresConnection is { } postgres
            ? PostgresJournal.ConnectionConfig(postgres)
            : SqliteJournal.Prepare(node.SqlitePath ?? ActorsConfig.Node.GetString("actors.journal.sqlite-path"));
        builder.AddHocon(node.ToConfig()
                .WithFallback(journal)
                .WithFallback(Serialization.ProtocolTypes.For(actors.ProtocolAssemblies)),
            HoconAddMode.Prepend);
        // The gateway endpoint's port is fixed before the member starts: members learn it from this role.
        var endpointPort = node.Port ?? ActorsConfig.Node.GetInt("actors.endpoint.port");
        if (endpointPort == 0)
        {
            endpointPort = StartChecks.FreePort(node.Hostname ?? ActorsConfig.Node.GetString("akka.remote.dot-netty.tcp.hostname"));
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
            builder.AddHocon(ActorsConfig.Postgres, HoconAddMode.Append);
        }

        if (node.Tls is { } tls)
        {
            builder.WithTls(tls);
        }

        builder.AddHocon(ActorsConfig.Node, HoconAddMode.Append);
        builder.AddHocon(ClusterSharding.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(SqlPersistence.DefaultConfiguration, HoconAddMode.Append);

        return builder.WithActors(async (system, registry, resolver) =>
        {
            var config = system.Settings.Config;
            var services = new ResolverServices(resolver);
            var cluster = Cluster.Get(system);
            if (config.GetStringList("akka.cluster.seed-nodes").Count == 0)
            {
                // No seeds: this node founds its own cluster (works with port 0 too).
                cluster.Join(cluster.SelfAddress);
            }

            var telemetry = new NodeTelemetry();
            var limits = LimitSettings.From(config);
            var routeOf = new Dictionary<Type, Route>();
            foreach (var lane in actors.Handlers.GroupBy(h => h.LaneIn(config)))
            {
                var settings = LaneSettings.From(config, lane.Key);
                var router = system.ActorOf(settings.RouterProps(lane.ToList(), system, services, telemetry), $"lane-{lane.Key}");
                var route = new Route($"lane {lane.Key}", router, new AdmissionLimit(settings.Width, settings.MaxInFlight, limits));
                telemetry.AddLane(lane.Key, route, settings.Width);
                foreach (var handler in lane)
                {
                    routeOf[handler.RequestType] = route;
                }
            }

            var sharding = ClusterSharding.Get(system);
            var shardingSettings = ClusterShardingSettings.Create(system);
            var shards = config.RequireInt("actors.sharding.shards");
            var entityRoutes = new List<(Type CommandType, Route Route)>();
            var regions = new List<(string Type, IActorRef Region)>();
            foreach (var entityType in actors.EntityTypes)
            {
                var settings = EntityTypeSettings.From(config, entityType.Name);
                var live = new LiveEntities(settings.MaxLive, settings.IdleTimeout);
                system.Scheduler.Advanced.ScheduleRepeatedly(live.SweepInterval, live.SweepInterval, live.SweepIdle);
                telemetry.AddEntityType(entityType.Name, live);
                var region = await sharding.StartAsync(entityType.Name, entityType.PropsFactory(system, services, live, telemetry),
                    shardingSettings, new EntityMessageExtractor(shards),
                    sharding.DefaultShardAllocationStrategy(shardingSettings), StopEntity.Instance);
                var limit = new AdmissionLimit(settings.MinInFlight, settings.MaxInFlight, limits);
                entityRoutes.Add((entityType.CommandType, new Route($"entity type {entityType.Name}", region, limit) { ResendRetries = true }));
                regions.Add((entityType.Name, region));
            }

            // The status actor answers GetClusterStatus through the gateway like any request.
            var statusRoute = new Route("status", ActorRefs.Nobody, AdmissionLimit.Fixed(100, limits));
            Route? Resolve(Type requestType) =>
                requestType == typeof(GetClusterStatus) ? statusRoute
                : routeOf.GetValueOrDefault(requestType)
                  ?? entityRoutes.FirstOrDefault(r => r.CommandType.IsAssignableFrom(requestType)).Route;

            var gateway = system.ActorOf(GatewayActor.Props(NodeLimits.From(config), AdmissionSettings.From(config), Resolve, telemetry),
                GatewayActor.Name);
            system.ActorOf(UndeliveredRequests.Props(gateway), UndeliveredRequests.Name);
            var status = system.ActorOf(StatusActor.Props(gateway, regions, telemetry,
                config.RequireTimeSpan("actors.health.interval")), StatusActor.Name);
            statusRoute.Target = status;

            // Gauges read the telemetry from the metrics thread: only once it is complete.
            ActorsMetrics.Register(telemetry);
            system.RegisterOnTermination(() => ActorsMetrics.Unregister(telemetry));
            registry.Register<GatewayKey>(gateway);
            GatewayEndpoint.Start(system, gateway, endpointPort, node.Tls);
            DrainOnLeave.Register(system, gateway, config.RequireTimeSpan("actors.shutdown.drain-timeout"));
        });
    }

    /// <summary>Lets handler factories resolve services from the host's container.</summary>
    private sealed class ResolverServices(IDependencyResolver resolver) : IServiceProvider
    {
        public object? GetService(Type serviceType) => resolver.GetService(serviceType);
    }
}

using Actors.Gateway;
using Akka.Actor;
using Akka.Hosting;

namespace Actors.Hosting;

/// <summary>Marker under which the gateway is kept in Akka.Hosting's <see cref="ActorRegistry"/>.</summary>
public sealed class GatewayKey;

/// <summary>Starts the gateway with its dead-letter watch; last of all, the endpoint clients connect to.</summary>
internal static class GatewayHosting
{
    public static AkkaConfigurationBuilder WithGateway(this AkkaConfigurationBuilder builder, NodeParts parts) =>
        builder.WithActors((system, registry) =>
        {
            var config = system.Settings.Config;
            parts.StatusRoute = new Route("status", ActorRefs.Nobody, AdmissionLimit.Fixed(100, LimitSettings.From(config)));
            var gateway = system.ActorOf(GatewayActor.Props(NodeLimits.From(config), AdmissionSettings.From(config), parts.Resolve,
                parts.Telemetry), GatewayActor.Name);
            system.ActorOf(UndeliveredRequests.Props(gateway), UndeliveredRequests.Name);
            registry.Register<GatewayKey>(gateway);
        });

    /// <summary>Opens the clients' port: last, once everything a request may need is running.</summary>
    public static AkkaConfigurationBuilder WithGatewayEndpoint(this AkkaConfigurationBuilder builder, int port, Security.TlsSettings? tls,
        NodeParts parts) =>
        builder.WithActors((system, registry) =>
        {
            var config = system.Settings.Config;
            var board = new ShardHomesBoard();
            var interval = config.RequireTimeSpan("actors.endpoint.shard-homes-interval");
            if (interval > TimeSpan.Zero)
            {
                var regions = parts.EntityRoutes.Select(r => (r.CommandType.FullName ?? r.CommandType.Name, r.Route.Target)).ToList();
                system.ActorOf(ShardHomesReader.Props(regions, config.RequireInt("actors.sharding.shards"), board, interval), "shard-homes");
            }

            GatewayEndpoint.Start(system, registry.Get<GatewayKey>(), port, tls, board);
        });
}

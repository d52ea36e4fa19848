using Actors.Telemetry;
using Akka.Hosting;

namespace Actors.Hosting;

/// <summary>Starts the status actor (cluster status, the health line) and publishes the node's gauges on the Actors meter.</summary>
internal static class NodeStatusHosting
{
    public static AkkaConfigurationBuilder WithNodeStatus(this AkkaConfigurationBuilder builder, NodeParts parts) =>
        builder.WithActors((system, registry) =>
        {
            var gateway = registry.Get<GatewayKey>();
            var status = system.ActorOf(StatusActor.Props(gateway, parts.Regions, parts.Telemetry,
                system.Settings.Config.RequireTimeSpan("actors.health.interval")), StatusActor.Name);
            parts.StatusRoute!.Target = status;

            // Gauges read the telemetry from the metrics thread: only once it is complete.
            ActorsMetrics.Register(parts.Telemetry);
            system.RegisterOnTermination(() => ActorsMetrics.Unregister(parts.Telemetry));
        });
}

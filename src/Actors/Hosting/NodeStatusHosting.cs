using Actors.Telemetry;
using Akka.Hosting;

namespace Actors.Hosting;

/// <summary>
/// Starts the status actor (cluster status, the health line), publishes the node's gauges on the
/// Actors meter, and opens the web ports that show them.
/// </summary>
internal static class NodeStatusHosting
{
    public static AkkaConfigurationBuilder WithNodeStatus(this AkkaConfigurationBuilder builder, NodeParts parts) =>
        builder.WithActors((system, registry) =>
        {
            var gateway = registry.Get<GatewayKey>();
            var status = system.ActorOf(StatusActor.Props(gateway, parts.Regions, parts.Telemetry,
                system.Settings.Config.RequireTimeSpan("actors.health.interval")), StatusActor.Name);
            parts.StatusRoute!.Target = status;
            parts.Status = status;

            // Gauges read the telemetry from the metrics thread: only once it is complete.
            ActorsMetrics.Register(parts.Telemetry);
            system.RegisterOnTermination(() => ActorsMetrics.Unregister(parts.Telemetry));
        });

    /// <summary>Opens the node's web ports (actors.web): health probes and the dashboard, when configured.</summary>
    public static AkkaConfigurationBuilder WithNodeWeb(this AkkaConfigurationBuilder builder, NodeParts parts, Security.TlsSettings? tls) =>
        builder.WithActors((system, _) => Web.NodeWeb.Start(system, parts.Status!, tls));
}

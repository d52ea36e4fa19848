using Actors.Gateway;
using Actors.Workers;
using Akka.Hosting;

namespace Actors.Hosting;

/// <summary>Starts the lanes: one pool router per lane that has handlers, each behind its own admission limit.</summary>
internal static class LanesHosting
{
    public static AkkaConfigurationBuilder WithLanes(this AkkaConfigurationBuilder builder, IReadOnlyList<HandlerRegistration> handlers,
        NodeParts parts) =>
        builder.WithActors((system, _, resolver) =>
        {
            var config = system.Settings.Config;
            var limits = LimitSettings.From(config);
            foreach (var lane in handlers.GroupBy(h => h.LaneIn(config)))
            {
                var settings = LaneSettings.From(config, lane.Key);
                var router = system.ActorOf(settings.RouterProps(lane.ToList(), system, NodeParts.Services(resolver), parts.Telemetry),
                    $"lane-{lane.Key}");
                var route = new Route($"lane {lane.Key}", router, new AdmissionLimit(settings.Width, settings.MaxInFlight, limits));
                parts.Telemetry.AddLane(lane.Key, route, settings.Width);
                foreach (var handler in lane)
                {
                    parts.LaneRoutes[handler.RequestType] = route;
                }
            }
        });
}

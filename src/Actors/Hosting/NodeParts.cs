using Actors.Gateway;
using Actors.Protocol;
using Actors.Telemetry;
using Akka.Actor;
using Akka.DependencyInjection;

namespace Actors.Hosting;

/// <summary>
/// What the steps of <see cref="ActorsHostingExtensions.AddActors"/> hand on to each other while
/// a node starts (in order: lanes, entity types, gateway, status, drain): its telemetry, the
/// routes the gateway resolves, the regions the status actor reports.
/// </summary>
internal sealed class NodeParts
{
    public NodeTelemetry Telemetry { get; } = new();

    /// <summary>A stateless request's route: its handler's lane.</summary>
    public Dictionary<Type, Route> LaneRoutes { get; } = new();

    /// <summary>An entity type's route, by the command interface its requests implement.</summary>
    public List<(Type CommandType, Route Route)> EntityRoutes { get; } = [];

    public List<(string Type, IActorRef Region)> Regions { get; } = [];

    /// <summary>GetClusterStatus goes through the gateway like any request; the status actor is its target once started.</summary>
    public Route? StatusRoute { get; set; }

    /// <summary>The status actor, once started (the dashboard polls it).</summary>
    public IActorRef? Status { get; set; }

    public Route? Resolve(Type requestType) =>
        requestType == typeof(GetClusterStatus) ? StatusRoute
        : LaneRoutes.GetValueOrDefault(requestType) ?? EntityRoutes.FirstOrDefault(r => r.CommandType.IsAssignableFrom(requestType)).Route;

    /// <summary>Lets handler factories resolve services from the host's container.</summary>
    public static IServiceProvider Services(IDependencyResolver resolver) => new ResolverServices(resolver);

    private sealed class ResolverServices(IDependencyResolver resolver) : IServiceProvider
    {
        public object? GetService(Type serviceType) => resolver.GetService(serviceType);
    }
}

using Actors.Protocol;
using Actors.Telemetry;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Actors.Entities;

/// <summary>
/// What every entity does around its commands, persistent or not: the idle timeout, its place
/// in the type's live-entity LRU, passivation through the shard (idle, over the cap) and the
/// stop that follows it or a hand-off, counted by reason. One per entity instance.
/// </summary>
internal sealed class EntityLifecycle(string entityType, EntityTypeSettings settings, LiveEntities live, NodeTelemetry telemetry)
{
    // Why the entity is stopping; none when the shard stops it for a hand-off.
    private string? _passivation;

    public void Started(IActorContext context)
    {
        context.SetReceiveTimeout(settings.IdleTimeout);
        live.Started(context.Self);
    }

    public void Touched(IActorRef self) => live.Touched(self);

    public void Stopped(IActorRef self) => live.Stopped(self);

    /// <summary>Asks the shard to stop this entity; the first reason asked is the one counted.</summary>
    public void Passivate(IActorContext context, string reason)
    {
        if (_passivation is null)
        {
            _passivation = reason;
            context.Parent.Tell(new Passivate(StopEntity.Instance));
        }
    }

    /// <summary>The shard's stop message: it queued behind everything the entity already had.</summary>
    public void Stop(IActorContext context)
    {
        telemetry.Passivated(entityType, _passivation ?? "hand-off");
        context.Stop(context.Self);
    }

    public ErrorReply NotHandled(IRequest request) => new(request.RequestId, ErrorCode.UnknownRequest,
        $"entity type '{entityType}' does not handle {request.GetType().Name}");
}

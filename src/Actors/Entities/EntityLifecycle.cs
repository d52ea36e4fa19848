using Actors.Gateway;
using Actors.Protocol;
using Actors.Telemetry;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Actors.Entities;

/// <summary>
/// What every entity does around its commands, persistent or not: its entry among the type's
/// live entities (last use, for the idle sweep and the cap), passivation through the shard
/// (idle, over the cap) and the stop that follows it or a hand-off, counted by reason. One per
/// entity instance.
/// </summary>
internal sealed class EntityLifecycle(string entityType, LiveEntities live, NodeTelemetry telemetry)
{
    // Why the entity is stopping; none when the shard stops it for a hand-off.
    private string? _passivation;
    private LiveEntities.Entry? _entry;

    public void Started(IActorContext context) => _entry = live.Started(context.Self);

    public void Touched() => _entry?.Used();

    public void Stopped()
    {
        if (_entry is { } entry)
        {
            live.Stopped(entry);
        }
    }

    /// <summary>The idle sweep says this entity is idle: it passivates unless a command came meanwhile.</summary>
    public void IdleReported(IActorContext context)
    {
        if (_entry is null || _entry.IdleFor(live.IdleTimeout))
        {
            Passivate(context, "idle");
        }
    }

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

    /// <summary>
    /// True with the command a routed request carries, if the entity should run it; otherwise answers it
    /// (a command of another type, or one past its deadline, which the gateway has answered
    /// Timeout already: this only gives the gateway's slot back) and returns false.
    /// </summary>
    public bool TryAdmit<TCommand>(RoutedRequest routed, IActorRef sender, out TCommand command)
        where TCommand : IKeyedRequest
    {
        Touched();
        var request = routed.Request;
        if (request is TCommand typed && !routed.Expired)
        {
            command = typed;
            return true;
        }

        command = default!;
        Caller.Of(routed, sender).Answer(request is TCommand
            ? new ErrorReply(request.RequestId, ErrorCode.Timeout, "past its deadline before the entity took it; not carried out")
            : new ErrorReply(request.RequestId, ErrorCode.UnknownRequest,
                $"entity type '{entityType}' does not handle {request.GetType().Name}"));
        return false;
    }
}

using Actors.Gateway;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Telemetry;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace Actors.Entities;

/// <summary>
/// An entity of a type configured <c>persistent = off</c>: the same handler, state kept in
/// memory only, replies at once. Its state is gone when it passivates or its node stops — a
/// per-key cache, like <c>lru_cache</c>, for state that can be rebuilt.
/// </summary>
public sealed class VolatileEntityActor<TState, TCommand, TEvent> : ReceiveActor
    where TState : class, IJournaled
    where TCommand : IKeyedRequest
    where TEvent : class, IJournaled
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IEntityHandler<TState, TCommand, TEvent> _handler;
    private readonly EntityLifecycle _lifecycle;
    private readonly string _id;
    private TState _state;

    // A retried write is recognised while this instance lives (its state lives no longer).
    private readonly RequestWindow _requests;

    public VolatileEntityActor(string entityType, string key, IEntityHandler<TState, TCommand, TEvent> handler,
        EntityTypeSettings settings, LiveEntities live, NodeTelemetry telemetry)
    {
        _lifecycle = new EntityLifecycle(entityType, live, telemetry);
        _handler = handler;
        _id = EntityActor<TState, TCommand, TEvent>.PersistenceIdFor(entityType, key);
        _state = handler.Initial(key);
        _requests = new RequestWindow(settings.RememberRequestsFor, settings.MaxRememberedRequests);

        Receive<RoutedRequest>(routed =>
        {
            if (_lifecycle.TryAdmit<TCommand>(routed, Sender, out var command))
            {
                Handle(Caller.Of(routed, Sender), command);
            }
        });
        Receive<PassivateIdle>(_ => _lifecycle.IdleReported(Context));
        Receive<PassivateOverCap>(_ => _lifecycle.Passivate(Context, "cap"));
        Receive<StopEntity>(_ => _lifecycle.Stop(Context));
    }

    protected override void PreStart() => _lifecycle.Started(Context);

    protected override void PostStop() => _lifecycle.Stopped();

    private void Handle(Caller caller, TCommand command)
    {
        try
        {
            var id = command.RequestId;
            switch (_requests.Check(id, () => Hashes.OfCommand(command)))
            {
                case RequestSeen.Applied:
                    caller.Answer(_handler.AlreadyApplied(_state, command));
                    return;
                case RequestSeen.Reused:
                    caller.Answer(new ErrorReply(id, ErrorCode.InvalidRequest, $"request id {id} was used for a different command; ids must be unique"));
                    return;
            }

            var step = EntityLogic.Step(_handler, _state, command);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (step.Events.Count > 0 && _requests.FullFor(now, 0) is { } wait)
            {
                caller.Answer(new ErrorReply(id, ErrorCode.Overloaded, $"{_id} took too many writes within its request window", wait));
                return;
            }

            if (step.Events.Count > 0)
            {
                _requests.Add(new AppliedRequest(id, Hashes.OfCommand(command), now));
            }

            _state = step.Next;
            caller.Answer(step.Reply);
        }
        catch (Exception e)
        {
            _log.Warning("Entity {0} failed on request {1}: {2}", _id, command.RequestId, e.Message);
            caller.Answer(new ErrorReply(command.RequestId, ErrorCode.HandlerFailed, e.Message));
        }
    }

}

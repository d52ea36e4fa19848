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
    private readonly EntityTypeSettings _settings;
    private readonly LiveEntities _live;
    private readonly NodeTelemetry _telemetry;
    private readonly string _entityType;

    // Why this entity is stopping, for the passivations metric; none yet means hand-off.
    private string? _passivation;
    private readonly string _id;
    private TState _state;

    public VolatileEntityActor(string entityType, string key, IEntityHandler<TState, TCommand, TEvent> handler,
        EntityTypeSettings settings, LiveEntities live, NodeTelemetry telemetry)
    {
        _telemetry = telemetry;
        _entityType = entityType;
        _handler = handler;
        _settings = settings;
        _live = live;
        _id = EntityActor<TState, TCommand, TEvent>.PersistenceIdFor(entityType, key);
        _state = handler.Initial(key);

        Receive<TCommand>(Handle);
        Receive<IRequest>(other => Sender.Tell(new ErrorReply(other.RequestId, ErrorCode.UnknownRequest,
            $"entity type '{entityType}' does not handle {other.GetType().Name}")));
        Receive<ReceiveTimeout>(_ => Passivate("idle"));
        Receive<PassivateOverCap>(_ => Passivate("cap"));
        Receive<StopEntity>(_ =>
        {
            _telemetry.Passivated(_entityType, _passivation ?? "hand-off");
            Context.Stop(Self);
        });
    }

    protected override void PreStart()
    {
        Context.SetReceiveTimeout(_settings.IdleTimeout);
        _live.Started(Self);
    }

    protected override void PostStop() => _live.Stopped(Self);

    private void Handle(TCommand command)
    {
        _live.Touched(Self);
        try
        {
            var step = EntityLogic.Step(_handler, _state, command);
            _state = step.Next;
            Sender.Tell(step.Reply);
        }
        catch (Exception e)
        {
            _log.Warning("Entity {0} failed on request {1}: {2}", _id, command.RequestId, e.Message);
            Sender.Tell(new ErrorReply(command.RequestId, ErrorCode.HandlerFailed, e.Message));
        }
    }

    private void Passivate(string reason)
    {
        if (_passivation is null)
        {
            _passivation = reason;
            Context.Parent.Tell(new Passivate(StopEntity.Instance));
        }
    }
}

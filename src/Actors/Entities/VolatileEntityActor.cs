using Actors.Gateway;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Serialization;
using Actors.Telemetry;
using Akka.Actor;
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
    private readonly EntityLifecycle _lifecycle;
    private readonly string _spanName;
    private TState _state;

    // A retried write is recognised while this instance lives (its state lives no longer).
    private readonly EntityCommands<TState, TCommand, TEvent> _commands;

    public VolatileEntityActor(string entityType, string key, IEntityHandler<TState, TCommand, TEvent> handler,
        EntityTypeSettings settings, LiveEntities live, NodeTelemetry telemetry)
    {
        _lifecycle = new EntityLifecycle(entityType, live, telemetry);
        _spanName = $"actors.entity {entityType}";
        _state = handler.Initial(key);
        _commands = new EntityCommands<TState, TCommand, TEvent>(handler,
            new RequestWindow(settings.RememberRequestsFor, settings.MaxRememberedRequests), settings,
            EntityActor<TState, TCommand, TEvent>.PersistenceIdFor(entityType, key), Context.GetLogger(),
            WireShape.Of(Context.System));

        Receive<RoutedRequest>(routed =>
        {
            if (_lifecycle.TryAdmit<TCommand>(routed, Sender, out var command))
            {
                Handle(Caller.Handling(routed, Sender, _spanName, Context.System), command);
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
        switch (_commands.Decide(_state, command, NoneUnwritten, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
        {
            case EntityCommands<TState, TCommand, TEvent>.Outcome.Answer answer:
                caller.Answer(answer.Reply);
                break;
            case EntityCommands<TState, TCommand, TEvent>.Outcome.Write write:
                // Nothing to store: remembered and applied at once.
                _commands.Requests.Add(write.Request);
                _state = write.Next;
                caller.Answer(write.Reply);
                break;
        }
    }

    private static AppliedRequest? NoneUnwritten(string requestId) => null;
}

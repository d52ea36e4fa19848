using Actors.Entities;
using Actors.Protocol;

namespace Actors.Handlers;

/// <summary>
/// The logic of a keyed, event-sourced entity type, kept free of actors so it can be tested as
/// plain functions. The runtime owns the actor, the journal, snapshots and passivation:
/// <see cref="Decide"/> turns a command into events and a reply; <see cref="Apply"/> folds an
/// event into the state, both when the event is first persisted and on recovery.
/// </summary>
/// <typeparam name="TState">The cached state; journaled in snapshots, so it must carry a
/// <c>[JournalManifest]</c> and serialize as JSON.</typeparam>
/// <typeparam name="TCommand">The entity type's command base type.</typeparam>
/// <typeparam name="TEvent">The event base type; every concrete event carries a <c>[JournalManifest]</c>.</typeparam>
public interface IEntityHandler<TState, in TCommand, TEvent>
    where TState : class, IJournaled
    where TCommand : IKeyedRequest
    where TEvent : class, IJournaled
{
    /// <summary>The state of an entity that has no events yet.</summary>
    TState Initial(string key);

    /// <summary>Decide what a command does. Must not mutate <paramref name="state"/>.</summary>
    EntityDecision<TState, TEvent> Decide(TState state, TCommand command);

    /// <summary>Fold one event into the state. Must be deterministic: recovery replays it.</summary>
    TState Apply(TState state, TEvent @event);

    /// <summary>
    /// The answer to a write whose request id was already applied (a retry); nothing is applied
    /// again. Asked for a command whose request id and content match a write the entity made
    /// within actors.entities remember-requests-for.
    /// </summary>
    IReply AlreadyApplied(TState state, TCommand command) => new AlreadyApplied(command.RequestId);
}

/// <summary>
/// The outcome of a command: events to persist (possibly none) and the reply, computed from
/// the state after those events. The reply is sent only once every event is in the journal.
/// </summary>
public sealed class EntityDecision<TState, TEvent>
{
    private EntityDecision(IReadOnlyList<TEvent> events, Func<TState, IReply> reply)
    {
        Events = events;
        BuildReply = reply;
    }

    public IReadOnlyList<TEvent> Events { get; }
    public Func<TState, IReply> BuildReply { get; }

    /// <summary>Persist <paramref name="events"/>, then reply from the new state.</summary>
    public static EntityDecision<TState, TEvent> Persist(IReadOnlyList<TEvent> events, Func<TState, IReply> reply) =>
        new(events, reply);

    /// <summary>Persist one event, then reply from the new state.</summary>
    public static EntityDecision<TState, TEvent> Persist(TEvent @event, Func<TState, IReply> reply) =>
        new([@event], reply);

    /// <summary>Change nothing; reply from the current state (queries, rejections).</summary>
    public static EntityDecision<TState, TEvent> Reply(Func<TState, IReply> reply) => new([], reply);

    /// <summary>Change nothing; reply with a fixed answer (typically an <see cref="ErrorReply"/>).</summary>
    public static EntityDecision<TState, TEvent> Reply(IReply reply) => new([], _ => reply);
}

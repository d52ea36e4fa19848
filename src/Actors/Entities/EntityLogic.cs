using Actors.Handlers;
using Actors.Protocol;

namespace Actors.Entities;

/// <summary>What a command does to an entity: its events, the state after them, and the reply.</summary>
internal readonly record struct EntityStep<TState, TEvent>(IReadOnlyList<TEvent> Events, TState Next, IReply Reply);

internal static class EntityLogic
{
    /// <summary>
    /// Decides, folds the events and builds the reply before anything is written or changed, so
    /// a handler that throws at any step leaves no trace: no event stored that recovery would
    /// trip over, no half-applied state, no error for a write that did happen.
    /// </summary>
    public static EntityStep<TState, TEvent> Step<TState, TCommand, TEvent>(IEntityHandler<TState, TCommand, TEvent> handler,
        TState state, TCommand command)
        where TState : class, IJournaled
        where TCommand : IKeyedRequest
        where TEvent : class, IJournaled
    {
        var decision = handler.Decide(state, command);
        var next = state;
        foreach (var e in decision.Events)
        {
            next = handler.Apply(next, e);
        }

        var reply = decision.BuildReply(next) ?? throw new InvalidOperationException("the entity handler built no reply");
        return new EntityStep<TState, TEvent>(decision.Events, next, reply);
    }
}

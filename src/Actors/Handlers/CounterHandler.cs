using Actors.Entities;
using Actors.Protocol;

namespace Actors.Handlers;

/// <summary>State of the built-in counter entity.</summary>
[JournalManifest("counter.state.v1")]
public sealed record CounterState(long Total) : IJournaled;

/// <summary>Events of the built-in counter entity.</summary>
public interface ICounterEvent : IJournaled;

/// <summary>An amount was added. Carries the request id so a retried request can be recognised.</summary>
[JournalManifest("counter.added.v1")]
public sealed record CounterAdded(string RequestId, long Amount) : ICounterEvent, IRequestEvent;

/// <summary>Built-in persisted entity type <c>counter</c>: a 64-bit total per key.</summary>
public sealed class CounterHandler : IEntityHandler<CounterState, ICounterCommand, ICounterEvent>
{
    public CounterState Initial(string key) => new(0);

    public EntityDecision<CounterState, ICounterEvent> Decide(CounterState state, ICounterCommand command)
    {
        if (command is AddToCounter { FailRate: > 0 and <= 1 } flaky)
        {
            FailureInjection.MaybeFail(flaky.FailRate);
        }

        return DecideValid(state, command);
    }

    private static EntityDecision<CounterState, ICounterEvent> DecideValid(CounterState state, ICounterCommand command) => command switch
    {
        GetCounter get => EntityDecision<CounterState, ICounterEvent>.Reply(s => new CounterValue(get.RequestId, get.Key, s.Total)),
        AddToCounter add when FailureInjection.Validate(add, add.FailRate) is { } invalid =>
            EntityDecision<CounterState, ICounterEvent>.Reply(invalid),
        AddToCounter add when WouldOverflow(state.Total, add.Amount) => EntityDecision<CounterState, ICounterEvent>.Reply(
            Replies.Invalid(add, $"adding {add.Amount} to {state.Total} would overflow the counter (64-bit)")),
        AddToCounter add => EntityDecision<CounterState, ICounterEvent>.Persist(
            new CounterAdded(add.RequestId, add.Amount), s => new CounterValue(add.RequestId, add.Key, s.Total)),
        _ => EntityDecision<CounterState, ICounterEvent>.Reply(
            new ErrorReply(command.RequestId, ErrorCode.UnknownRequest, $"counter does not handle {command.GetType().Name}")),
    };

    /// <summary>A retried add reads back the total as it is now; the amount was added once.</summary>
    public IReply AlreadyApplied(CounterState state, ICounterCommand command) => new CounterValue(command.RequestId, command.Key, state.Total);

    public CounterState Apply(CounterState state, ICounterEvent @event) => @event switch
    {
        CounterAdded added => state with { Total = state.Total + added.Amount },
        _ => state,
    };

    private static bool WouldOverflow(long total, long amount) =>
        amount > 0 ? total > long.MaxValue - amount : total < long.MinValue - amount;
}

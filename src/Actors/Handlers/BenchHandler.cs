using Actors.Protocol;

namespace Actors.Handlers;

/// <summary>
/// Built-in entity type <c>bench</c>: the counter's logic, state and events under keys of its
/// own type (its own persistence ids), so a benchmark never writes into a user's counters.
/// </summary>
public sealed class BenchHandler : IEntityHandler<CounterState, IBenchCommand, ICounterEvent>
{
    private readonly CounterHandler _counter = new();

    public CounterState Initial(string key) => _counter.Initial(key);

    public EntityDecision<CounterState, ICounterEvent> Decide(CounterState state, IBenchCommand command) => command is BenchAdd add
        ? _counter.Decide(state, AsCounter(add))
        : EntityDecision<CounterState, ICounterEvent>.Reply(
            new ErrorReply(command.RequestId, ErrorCode.UnknownRequest, $"bench does not handle {command.GetType().Name}"));

    public CounterState Apply(CounterState state, ICounterEvent @event) => _counter.Apply(state, @event);

    public IReply AlreadyApplied(CounterState state, IBenchCommand command) => command is BenchAdd add
        ? _counter.AlreadyApplied(state, AsCounter(add))
        : new AlreadyApplied(command.RequestId);

    private static AddToCounter AsCounter(BenchAdd add) => new(add.RequestId, add.Key, add.Amount, add.FailRate);
}

namespace Actors.Protocol;

/// <summary>Estimate pi by Monte Carlo with <paramref name="Samples"/> random points (cpu lane).</summary>
public sealed record EstimatePi(string RequestId, long Samples) : IRequest;

/// <summary>Result of <see cref="EstimatePi"/>.</summary>
public sealed record PiEstimated(string RequestId, double Estimate, long Samples, long Inside) : IReply;

/// <summary>Commands of the built-in persisted <c>counter</c> entity type.</summary>
public interface ICounterCommand : IKeyedRequest;

/// <summary>Add <paramref name="Amount"/> (may be negative) to the counter <paramref name="Key"/>.</summary>
public sealed record AddToCounter(string RequestId, string Key, long Amount) : ICounterCommand;

/// <summary>Read the counter <paramref name="Key"/>; a counter never written reads 0.</summary>
public sealed record GetCounter(string RequestId, string Key) : ICounterCommand;

/// <summary>The counter's total after the command.</summary>
public sealed record CounterValue(string RequestId, string Key, long Total) : IReply;

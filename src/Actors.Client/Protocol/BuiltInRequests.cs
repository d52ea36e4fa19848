namespace Actors.Protocol;

/// <summary>
/// A request that can ask its handler to fail on purpose (<see cref="FailRate"/>, 0..1), for
/// supervision tests and load runs. A node honours a non-zero rate only where HOCON enables it
/// (<c>actors.limits.failure-injection</c>: tests, <c>bench</c>); elsewhere it is refused
/// InvalidRequest, so no client can push a production node's workers into back-off.
/// </summary>
public interface IFailureInjecting : IRequest
{
    double FailRate { get; }
}

/// <summary>
/// Estimate pi by Monte Carlo with <paramref name="Samples"/> random points (cpu lane).
/// <paramref name="FailRate"/> (0..1) makes the handler throw for that fraction of requests:
/// a knob for supervision tests and load runs.
/// </summary>
public sealed record EstimatePi(string RequestId, long Samples, double FailRate = 0) : IIdempotentRequest, IFailureInjecting;

/// <summary>Result of <see cref="EstimatePi"/>.</summary>
public sealed record PiEstimated(string RequestId, double Estimate, long Samples, long Inside) : IReply;

/// <summary>
/// Await <paramref name="Milliseconds"/> without holding a thread (io lane): the stand-in for a
/// remote call. <paramref name="FailRate"/> as for <see cref="EstimatePi"/>.
/// </summary>
public sealed record SleepFor(string RequestId, int Milliseconds, double FailRate = 0) : IIdempotentRequest, IFailureInjecting;

/// <summary>Result of <see cref="SleepFor"/>.</summary>
public sealed record Slept(string RequestId, int Milliseconds) : IReply;

/// <summary>Commands of the built-in persisted <c>counter</c> entity type.</summary>
public interface ICounterCommand : IKeyedRequest;

/// <summary>
/// Add <paramref name="Amount"/> (may be negative) to the counter <paramref name="Key"/>.
/// <paramref name="FailRate"/> as for <see cref="EstimatePi"/> (the entity's decision throws; nothing is written).
/// Idempotent by its request id: the counter remembers recent ids, so a retry is applied once.
/// </summary>
public sealed record AddToCounter(string RequestId, string Key, long Amount, double FailRate = 0)
    : ICounterCommand, IIdempotentRequest, IFailureInjecting;

/// <summary>Read the counter <paramref name="Key"/>; a counter never written reads 0.</summary>
public sealed record GetCounter(string RequestId, string Key) : ICounterCommand, IIdempotentRequest;

/// <summary>The counter's total after the command.</summary>
public sealed record CounterValue(string RequestId, string Key, long Total) : IReply;

/// <summary>
/// Commands of the built-in <c>bench</c> entity type: a counter of its own, so <c>bench</c> measures
/// a keyed, journaled write without touching what a user keeps in <c>counter</c>.
/// </summary>
public interface IBenchCommand : IKeyedRequest;

/// <summary>As <see cref="AddToCounter"/>, for the <c>bench</c> entity type; answered with a <see cref="CounterValue"/>.</summary>
public sealed record BenchAdd(string RequestId, string Key, long Amount, double FailRate = 0)
    : IBenchCommand, IIdempotentRequest, IFailureInjecting;

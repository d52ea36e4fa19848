namespace Actors.Gateway;

/// <summary>
/// From a node's status actor to the gateway that sent a request: the request was dead-lettered
/// (its shard's node is unreachable or leaving, its entity stopped before reaching it, a shard
/// region dropped it during a hand-off). It was not processed there, so the gateway answers it
/// <see cref="Protocol.ErrorCode.Unavailable"/> at once instead of letting the caller wait for the
/// deadline. Believed only with the request's <see cref="RoutedRequest.Token"/>.
/// </summary>
public sealed record RequestUndelivered(Guid Token, string RequestId, string Reason) : Protocol.IActorsMessage;

/// <summary>
/// Sent by CoordinatedShutdown before the node leaves: from now on the gateway refuses new
/// requests (<see cref="Protocol.ErrorCode.Overloaded"/>, which any client may retry elsewhere),
/// and it answers <see cref="Drained"/> once nothing is in flight or <paramref name="Within"/> passed.
/// </summary>
public sealed record DrainGateway(TimeSpan Within);

/// <summary>The gateway's answer to <see cref="DrainGateway"/>: requests still in flight (0 when drained).</summary>
public sealed record Drained(int StillInFlight);

/// <summary>Ask the gateway for its counts; latency over the last <paramref name="WindowSeconds"/> seconds.</summary>
public sealed record GetGatewayStats(int WindowSeconds = 10)
{
    public static readonly GetGatewayStats Instance = new();
}

/// <summary>
/// Requests in flight on this node, in total and per lane / entity type; requests answered and
/// refused Overloaded since start; answered, p99 latency (ms) and error answers by code over the asked window.
/// </summary>
public sealed record GatewayStats(int InFlight, IReadOnlyDictionary<string, int> InFlightByRoute, long Completed, long Rejected,
    long CompletedInWindow, double P99MsInWindow, Protocol.ErrorCount[] ErrorsInWindow)
{
    /// <summary>Requests over their route's limit waiting for a slot now.</summary>
    public int Waiting { get; init; }
}

// The gateway's own timers.

/// <summary>Send the items of batches answered as completed that are ready.</summary>
internal sealed record FlushPartialBatches
{
    public static readonly FlushPartialBatches Instance = new();
}

/// <summary>A member was removed a moment ago: send again what may have gone down with it.</summary>
internal sealed record ResendAfterRemoval
{
    public static readonly ResendAfterRemoval Instance = new();
}

/// <summary>Answer overdue requests Timeout and check the drain.</summary>
internal sealed record Sweep
{
    public static readonly Sweep Instance = new();
}

/// <summary>Refuse requests that waited the whole queue-wait for a slot no reply freed.</summary>
internal sealed record ExpireQueued
{
    public static readonly ExpireQueued Instance = new();
}

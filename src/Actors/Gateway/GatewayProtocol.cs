using Akka.Actor;
using Akka.Configuration;

namespace Actors.Gateway;

/// <summary>Limits the gateway checks on every request before routing it.</summary>
public sealed record NodeLimits(int MaxKeyLength, int MaxRequestIdLength, int MaxBatchSize, TimeSpan PartialReplyAfter,
    TimeSpan OffenceLogInterval, bool FailureInjection)
{
    public static NodeLimits From(Config config) => new(
        config.GetInt("actors.limits.max-key-length", 256),
        config.GetInt("actors.limits.max-request-id-length", 128),
        config.GetInt("actors.limits.max-batch-size", 1000),
        config.GetTimeSpan("actors.limits.batch-partial-reply-after", TimeSpan.FromMilliseconds(50)),
        config.GetTimeSpan("actors.log.offence-interval"),
        config.GetBoolean("actors.limits.failure-injection"));
}

/// <summary>How many requests a node takes on at once, and how long it lets one run.</summary>
public sealed record AdmissionSettings(int MaxInFlight, TimeSpan RequestDeadline, TimeSpan MinRetryAfter, TimeSpan MaxRetryAfter,
    TimeSpan ResendRetriesAfter)
{
    public static AdmissionSettings From(Config config)
    {
        var settings = new AdmissionSettings(
            config.GetInt("actors.admission.max-in-flight", 10_000),
            config.GetTimeSpan("actors.admission.request-deadline", TimeSpan.FromSeconds(60)),
            config.GetTimeSpan("actors.admission.min-retry-after", TimeSpan.FromMilliseconds(10)),
            config.GetTimeSpan("actors.admission.max-retry-after", TimeSpan.FromSeconds(5)),
            config.GetTimeSpan("actors.admission.resend-retries-after"));
        if (settings.MaxInFlight < 1 || settings.RequestDeadline <= TimeSpan.Zero)
        {
            throw new ConfigurationException("actors.admission.max-in-flight and request-deadline must be positive");
        }

        return settings;
    }
}

/// <summary>
/// Where the gateway sends one kind of request (a lane or an entity type), with that
/// destination's own admission limit. Owned and mutated by the gateway only.
/// </summary>
public sealed class Route(string name, IActorRef target, AdmissionLimit limit)
{
    public string Name { get; } = name;

    /// <summary>Set once while wiring the node, before the first request.</summary>
    public IActorRef Target { get; set; } = target;

    /// <summary>How many requests it takes at once (adapting to latency up to its max-in-flight).</summary>
    public AdmissionLimit Limit { get; } = limit;

    /// <summary>Requests admitted and not yet answered here, <see cref="Overdue"/> ones included.</summary>
    public int InFlight { get; set; }

    /// <summary>Answered Timeout at their deadline but maybe still running: they count against max-in-flight only.</summary>
    public int Overdue { get; set; }

    /// <summary>
    /// Send a client's retry of a request still in flight again when a member became unreachable
    /// or left since it was sent. On for entity types: the first copy may have gone to the node
    /// that died, and entities recognise a repeated request id. Off for lanes: the copy is in this
    /// process, running; the retry just waits for its answer.
    /// </summary>
    public bool ResendRetries { get; init; }
}

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
/// refused Overloaded since start; answered and p99 latency (ms) over the asked window.
/// </summary>
public sealed record GatewayStats(int InFlight, IReadOnlyDictionary<string, int> InFlightByRoute, long Completed, long Rejected,
    long CompletedInWindow, double P99MsInWindow);

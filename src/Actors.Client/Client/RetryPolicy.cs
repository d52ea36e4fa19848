using Actors.Protocol;
using Akka.Configuration;
using Actors.Hosting;

namespace Actors.Client;

/// <summary>
/// Which refusals the client sends again, and how long it waits first. <see cref="ErrorCode.Overloaded"/>
/// is always safe: the node did not take the request on. <see cref="ErrorCode.Unavailable"/> and
/// <see cref="ErrorCode.Timeout"/> are retried only for <see cref="IIdempotentRequest"/>s (reads, pure
/// computations, writes applied once by request id), with the same request id; an idempotent
/// attempt that gets no answer within <see cref="AttemptTimeout"/> is sent again (its node may have
/// died with it). Other requests may have run, so those errors are returned as they are.
/// The wait grows exponentially, never below the node's retry-after hint; after an Overloaded
/// reply, never above max-hint-multiple times that hint either: the hint is the node's pushback (as in gRPC's
/// retry design), paced to when room frees, and backing off to seconds on top of it left the
/// node idle while its callers slept (BENCHMARKS.md). Every wait carries jitter so callers spread
/// out, and all attempts together stay inside the call's timeout.
/// </summary>
/// <param name="MaxHintMultiple">After Overloaded with a hint, the wait stays within this many times the hint (null: no cap).</param>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan MinBackoff, TimeSpan MaxBackoff, TimeSpan? AttemptTimeout = null,
    double? MaxHintMultiple = null)
{
    /// <summary>From <c>actors.client.retry</c> (hocon/client.conf holds the defaults).</summary>
    public static RetryPolicy From(Config config) =>
        new(config.RequireInt("max-attempts"), config.RequireTimeSpan("min-backoff"), config.RequireTimeSpan("max-backoff"),
            AttemptTimeoutFrom(config), config.RequireDouble("max-hint-multiple"));

    // "off" or a duration; zero or less is off too (a zero timeout would end every attempt at once).
    private static TimeSpan? AttemptTimeoutFrom(Config config)
    {
        if (config.RequireString("attempt-timeout") is "off")
        {
            return null;
        }

        var timeout = config.GetTimeSpan("attempt-timeout");
        return timeout > TimeSpan.Zero ? timeout : null;
    }

    /// <summary>
    /// How long one attempt of <paramref name="request"/> may take before it is sent again:
    /// <see cref="AttemptTimeout"/> for idempotent requests (a node may have died with the first
    /// copy), otherwise null (the attempt has the call's whole time).
    /// </summary>
    public TimeSpan? AttemptTimeoutFor(IRequest request) =>
        request is IIdempotentRequest && MaxAttempts > 1 ? AttemptTimeout : null;

    /// <summary>How long to wait before attempt <paramref name="attempt"/> + 1, or null to stop.</summary>
    public TimeSpan? Delay(IRequest request, ErrorReply error, int attempt)
    {
        var retryable = error.Code == ErrorCode.Overloaded ||
                        (error.Code is ErrorCode.Unavailable or ErrorCode.Timeout && request is IIdempotentRequest);
        if (!retryable || attempt >= MaxAttempts)
        {
            return null;
        }

        var exponential = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * (1L << Math.Min(attempt - 1, 30))));
        var hint = error.RetryAfter ?? TimeSpan.Zero;
        var wait = hint > exponential ? hint : exponential;
        if (error.Code == ErrorCode.Overloaded && hint > TimeSpan.Zero && MaxHintMultiple is { } most && wait > hint * most)
        {
            wait = hint * most;
        }

        // Up to +50% jitter, so callers refused together do not come back together.
        return wait + TimeSpan.FromTicks((long)(wait.Ticks * 0.5 * Random.Shared.NextDouble()));
    }
}

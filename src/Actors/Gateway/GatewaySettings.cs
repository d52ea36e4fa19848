using Akka.Configuration;
using Actors.Hosting;

namespace Actors.Gateway;

/// <summary>Limits the gateway checks on every request before routing it.</summary>
public sealed record NodeLimits(int MaxKeyLength, int MaxRequestIdLength, int MaxBatchSize, TimeSpan PartialReplyAfter,
    TimeSpan OffenceLogInterval, bool FailureInjection)
{
    public static NodeLimits From(Config config) => new(
        config.RequireInt("actors.limits.max-key-length"),
        config.RequireInt("actors.limits.max-request-id-length"),
        config.RequireInt("actors.limits.max-batch-size"),
        config.RequireTimeSpan("actors.limits.batch-partial-reply-after"),
        config.RequireTimeSpan("actors.log.offence-interval"),
        config.RequireBoolean("actors.limits.failure-injection"));
}

/// <summary>How many requests a node takes on at once, and how long it lets one run.</summary>
public sealed record AdmissionSettings(int MaxInFlight, TimeSpan RequestDeadline, TimeSpan MinRetryAfter, TimeSpan MaxRetryAfter,
    TimeSpan ResendRetriesAfter, TimeSpan QueueWait, int MaxJoinedRetries)
{
    public static AdmissionSettings From(Config config)
    {
        var settings = new AdmissionSettings(
            config.RequireInt("actors.admission.max-in-flight"),
            config.RequireTimeSpan("actors.admission.request-deadline"),
            config.RequireTimeSpan("actors.admission.min-retry-after"),
            config.RequireTimeSpan("actors.admission.max-retry-after"),
            config.RequireTimeSpan("actors.admission.resend-retries-after"),
            config.RequireTimeSpan("actors.admission.queue-wait"),
            config.RequireInt("actors.admission.max-joined-retries"));
        if (settings.MaxInFlight < 1 || settings.MaxJoinedRetries < 0 || settings.RequestDeadline <= TimeSpan.Zero || settings.QueueWait < TimeSpan.Zero)
        {
            throw new ConfigurationException("actors.admission.max-in-flight and request-deadline must be positive, queue-wait and max-joined-retries not negative");
        }

        return settings;
    }
}

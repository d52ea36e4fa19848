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

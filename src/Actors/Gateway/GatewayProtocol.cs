using Akka.Actor;
using Akka.Configuration;

namespace Actors.Gateway;

/// <summary>Limits the gateway checks on every request before routing it.</summary>
public sealed record NodeLimits(int MaxKeyLength, int MaxRequestIdLength, int MaxBatchSize)
{
    public static NodeLimits From(Config config) => new(
        config.GetInt("actors.limits.max-key-length", 256),
        config.GetInt("actors.limits.max-request-id-length", 128),
        config.GetInt("actors.limits.max-batch-size", 1000));
}

/// <summary>How many requests a node takes on at once, and how long it lets one run.</summary>
public sealed record AdmissionSettings(int MaxInFlight, TimeSpan RequestDeadline, TimeSpan MinRetryAfter, TimeSpan MaxRetryAfter)
{
    public static AdmissionSettings From(Config config)
    {
        var settings = new AdmissionSettings(
            config.GetInt("actors.admission.max-in-flight", 10_000),
            config.GetTimeSpan("actors.admission.request-deadline", TimeSpan.FromSeconds(60)),
            config.GetTimeSpan("actors.admission.min-retry-after", TimeSpan.FromMilliseconds(10)),
            config.GetTimeSpan("actors.admission.max-retry-after", TimeSpan.FromSeconds(5)));
        if (settings.MaxInFlight < 1 || settings.RequestDeadline <= TimeSpan.Zero)
        {
            throw new ConfigurationException("actors.admission.max-in-flight and request-deadline must be positive");
        }

        return settings;
    }
}

/// <summary>
/// Where the gateway sends one kind of request (a lane or an entity type), with that
/// destination's own bound on requests in flight. Owned and mutated by the gateway only.
/// </summary>
public sealed class Route(string name, IActorRef target, int maxInFlight)
{
    public string Name { get; } = name;

    /// <summary>Set once while wiring the node, before the first request.</summary>
    public IActorRef Target { get; set; } = target;
    public int MaxInFlight { get; } = maxInFlight;
    public int InFlight { get; set; }

    /// <summary>Moving average of how long a request takes here: the basis of the retry-after hint.</summary>
    public double AverageMilliseconds { get; set; } = 1;
}

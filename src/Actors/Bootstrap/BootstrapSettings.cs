using Akka.Configuration;

namespace Actors.Bootstrap;

/// <summary>How a node finds its cluster by discovery (<c>actors.bootstrap</c>).</summary>
public sealed record BootstrapSettings(
    string DiscoveryMethod,
    string ServiceName,
    int Port,
    string Bind,
    int RequiredContactPoints,
    TimeSpan StableMargin,
    TimeSpan Interval,
    TimeSpan ProbeTimeout)
{
    public static BootstrapSettings From(Config config)
    {
        var b = config.GetConfig("actors.bootstrap");
        return new BootstrapSettings(b.GetString("discovery-method"), b.GetString("service-name"), b.GetInt("port"), b.GetString("bind"),
            Math.Max(1, b.GetInt("required-contact-points")), b.GetTimeSpan("stable-margin"), b.GetTimeSpan("interval"),
            b.GetTimeSpan("probe-timeout"));
    }
}

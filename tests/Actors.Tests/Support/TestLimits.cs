using Actors.Gateway;

namespace Actors.Tests.Support;

/// <summary>Admission limit settings for the gateway's pure specs: 100 ms windows of 10 replies, a 20 ms floor.</summary>
internal static class TestLimits
{
    public static readonly LimitSettings Adaptive = new(Adaptive: true, Tolerance: 2.0, LatencyFloor: TimeSpan.FromMilliseconds(20),
        Window: TimeSpan.FromMilliseconds(100), WindowSamples: 10, InitialLimit: 10,
        MinRetryAfter: TimeSpan.FromMilliseconds(10), MaxRetryAfter: TimeSpan.FromSeconds(2));

    public static readonly LimitSettings Fixed = Adaptive with { Adaptive = false };
}

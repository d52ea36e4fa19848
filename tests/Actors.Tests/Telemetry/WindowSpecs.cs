using Actors.Telemetry;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Telemetry;

/// <summary>The one-minute windows the gateway keeps: counts by kind and latency percentiles over the last seconds.</summary>
public sealed class WindowSpecs
{
    [Fact]
    public void Counts_by_kind_cover_the_asked_seconds_and_forget_older_ones()
    {
        var window = new CountWindow(kinds: 3);
        window.Add(0, nowMs: 1_000);
        window.Add(2, nowMs: 5_000);
        window.Add(2, nowMs: 5_900);

        window.Over(seconds: 3, nowMs: 6_000).Should().Equal(0, 0, 2);
        window.Over(seconds: 10, nowMs: 6_000).Should().Equal(1, 0, 2);
        // A minute later the slots are reused: nothing of the old second remains.
        window.Add(1, nowMs: 65_000);
        window.Over(seconds: 59, nowMs: 65_000).Should().Equal(0, 1, 0);
    }

    [Fact]
    public void The_p99_is_the_bucket_of_the_slowest_percent_within_the_window()
    {
        var window = new LatencyWindow();
        for (var i = 0; i < 99; i++)
        {
            window.Record(2.0, nowMs: 10_000);
        }

        window.Record(500.0, nowMs: 10_500);
        window.Record(5_000.0, nowMs: 1_000);

        var (count, p99) = window.Over(seconds: 3, percentile: 99, nowMs: 10_900);
        count.Should().Be(100, "the 5 s call is older than the window");
        p99.Should().BeInRange(2.0, 2.0 * 1.09);
        window.Over(seconds: 3, percentile: 100, nowMs: 10_900).Percentile.Should().BeInRange(500.0, 500.0 * 1.09);
    }
}

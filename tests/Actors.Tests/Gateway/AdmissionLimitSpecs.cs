using Actors.Gateway;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Gateway;

/// <summary>The adaptive limit as plain logic: windows of replies in, limit and retry-after hint out.</summary>
public sealed class AdmissionLimitSpecs
{
    private static readonly LimitSettings Settings = new(Adaptive: true, Tolerance: 2.0, LatencyFloor: TimeSpan.FromMilliseconds(20),
        Window: TimeSpan.FromMilliseconds(100), WindowSamples: 10, InitialLimit: 100,
        MinRetryAfter: TimeSpan.FromMilliseconds(10), MaxRetryAfter: TimeSpan.FromSeconds(5), BaselineWindows: 50);

    private long _now = 1_000;

    /// <summary>One window: the limit's worth of demand (or <paramref name="inFlight"/>), 10 replies of <paramref name="latencyMs"/>, refusals.</summary>
    private void Window(AdmissionLimit limit, double latencyMs, int? inFlight = null, int refused = 0)
    {
        limit.Admitted(inFlight ?? limit.Current);
        for (var i = 0; i < refused; i++)
        {
            limit.Refused(_now);
        }

        // 10 replies over 120 ms: one whole window.
        for (var i = 0; i < 10; i++)
        {
            _now += 12;
            limit.Completed(latencyMs, _now);
        }
    }

    [Fact]
    public void It_starts_at_the_initial_limit_within_its_floor_and_maximum()
    {
        new AdmissionLimit(20, 10_000, Settings).Current.Should().Be(100);
        new AdmissionLimit(200, 10_000, Settings).Current.Should().Be(200, "never below the floor");
        new AdmissionLimit(20, 50, Settings).Current.Should().Be(50, "never above the maximum");
        new AdmissionLimit(20, 10_000, Settings with { Adaptive = false }).Current.Should().Be(10_000, "off: the maximum, fixed");
    }

    [Fact]
    public void Latency_within_the_target_with_demand_at_the_limit_grows_it_up_to_the_maximum_and_no_further()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        var seen = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            Window(limit, latencyMs: 5);
            seen.Add(limit.Current);
        }

        seen.Should().BeInAscendingOrder();
        limit.Current.Should().Be(1000);
        seen.IndexOf(1000).Should().BeLessThan(60, "it reaches the maximum within seconds of 100 ms windows");
    }

    [Fact]
    public void Without_demand_near_the_limit_it_does_not_grow()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        for (var i = 0; i < 50; i++)
        {
            Window(limit, latencyMs: 5, inFlight: 10);
        }

        limit.Current.Should().Be(100, "ten in flight never tested a limit of 100");
    }

    [Fact]
    public void Latency_past_tolerance_times_the_baseline_cuts_the_limit_by_at_most_half_a_window_down_to_the_floor()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        for (var i = 0; i < 100; i++)
        {
            Window(limit, latencyMs: 15);
        }

        limit.Current.Should().Be(1000);
        limit.BaselineMs.Should().Be(15);

        // The journal slows: requests now wait 10x as long.
        var before = limit.Current;
        Window(limit, latencyMs: 150);
        limit.Current.Should().Be(before / 2, "150 ms against a target of 30 ms: cut by the most, half");
        var seen = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            Window(limit, latencyMs: 150);
            seen.Add(limit.Current);
        }

        seen.Min().Should().Be(20, "it goes down to the floor and never below");
        seen.Take(6).Should().BeInDescendingOrder();
    }

    [Fact]
    public void A_cut_is_proportional_to_how_far_latency_passed_the_target()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        Window(limit, latencyMs: 20);
        var grown = limit.Current;

        // Target: max(2 x 20, 20) = 40 ms; a mean of 50 ms cuts to 40/50 of the limit.
        Window(limit, latencyMs: 50);

        limit.Current.Should().Be((int)(grown * 0.8));
    }

    [Fact]
    public void Means_below_the_latency_floor_never_cut_the_limit()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        Window(limit, latencyMs: 1);
        for (var i = 0; i < 30; i++)
        {
            Window(limit, latencyMs: 19);
        }

        limit.Current.Should().Be(1000, "19 ms is 19x the baseline, but under the 20 ms floor");
    }

    [Fact]
    public void When_the_work_gets_dearer_the_baseline_follows_within_its_windows_and_the_limit_can_grow_again()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        Window(limit, latencyMs: 2);

        // The work got dearer for good: 100 ms at any concurrency.
        for (var i = 0; i < 100; i++)
        {
            Window(limit, latencyMs: 100);
        }

        limit.BaselineMs.Should().Be(100, "the 2 ms window is more than 50 windows old");
        limit.Current.Should().BeGreaterThan(20, "latency within the new target lets the limit grow again");
    }

    [Fact]
    public void A_window_closes_only_after_its_time_and_its_replies()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        limit.Admitted(100);
        for (var i = 0; i < 50; i++)
        {
            limit.Completed(5, _now);
        }

        limit.Current.Should().Be(100, "50 replies within the same millisecond are not yet a window");
        limit.Completed(5, _now + 100);
        limit.Current.Should().BeGreaterThan(100);
    }

    [Fact]
    public void The_retry_after_hint_grows_while_refusals_outnumber_replies_and_falls_back_when_they_stop()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        limit.RetryAfter.Should().Be(Settings.MinRetryAfter);

        var hints = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            Window(limit, latencyMs: 5, refused: 20);
            hints.Add(limit.RetryAfter);
        }

        hints.Should().BeInAscendingOrder();
        hints[1].Should().Be(hints[0] * 2, "two refusals per reply: doubling per window");
        limit.RetryAfter.Should().Be(Settings.MaxRetryAfter);

        for (var i = 0; i < 20; i++)
        {
            Window(limit, latencyMs: 30);
        }

        limit.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(30), "without refusals it falls back to the time a request takes");
    }

    [Fact]
    public void A_surge_of_refusals_takes_the_whole_factor_at_once_and_holds_it_until_its_callers_could_come_back()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        Window(limit, latencyMs: 5);
        limit.RetryAfter.Should().Be(Settings.MinRetryAfter);

        // Thousands of callers at once: 500 refusals against 10 replies in one window.
        Window(limit, latencyMs: 5, refused: 500);
        limit.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(500), "10 ms x 50 refusals per reply, in one window");

        // Its callers stay away for the hint: the quiet windows meanwhile do not lower it...
        var raisedAt = _now;
        while (_now - raisedAt < 700)
        {
            Window(limit, latencyMs: 5, refused: 30);
            limit.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(500), "held for 1.5 x the hint, neither raised again nor lowered");
        }

        // ...after which it follows refusals per reply again, by at most half per window.
        Window(limit, latencyMs: 5);
        Window(limit, latencyMs: 5);
        limit.RetryAfter.Should().BeLessThan(TimeSpan.FromMilliseconds(500)).And.BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(125));
        Window(limit, latencyMs: 5, refused: 15);
        limit.RetryAfter.Should().BeGreaterThan(TimeSpan.FromMilliseconds(125), "1.5 refusals per reply: it grows again, gently");
    }

    [Fact]
    public void Refusing_while_no_reply_comes_doubles_the_hint_at_most_once_a_window_and_once_a_hint_up_to_the_maximum()
    {
        var limit = new AdmissionLimit(20, 1000, Settings);
        Window(limit, latencyMs: 5);
        var start = _now;
        var hints = new List<(long At, double Ms)>();
        for (var t = 0; t <= 6000; t += 10)
        {
            limit.Refused(start + t);
            hints.Add((t, limit.RetryAfter.TotalMilliseconds));
        }

        hints.Where(h => h.At <= 100).Should().OnlyContain(h => h.Ms == 10, "a window without replies has not passed yet");
        hints.Select(h => h.Ms).Should().BeInAscendingOrder();
        hints.Zip(hints.Skip(10), (a, b) => b.Ms / a.Ms).Should().OnlyContain(r => r <= 2, "at most doubling per window");
        hints.Last().Ms.Should().Be(Settings.MaxRetryAfter.TotalMilliseconds);
        var raised = hints.Where((h, i) => i > 0 && h.Ms > hints[i - 1].Ms).Select(h => h.At).ToList();
        raised.Zip(raised.Skip(1), (a, b) => b - a).Should().OnlyContain(gap => gap >= 100);

        Window(limit, latencyMs: 5);
        Window(limit, latencyMs: 5);
        limit.Refused(_now);
        limit.RetryAfter.TotalMilliseconds.Should().BeLessThan(Settings.MaxRetryAfter.TotalMilliseconds, "replies came again");
    }

    [Fact]
    public void A_fixed_limit_ignores_latency()
    {
        var limit = AdmissionLimit.Fixed(100, Settings);
        for (var i = 0; i < 10; i++)
        {
            Window(limit, latencyMs: i % 2 == 0 ? 1 : 10_000);
        }

        limit.Current.Should().Be(100);
        limit.Admits(99).Should().BeTrue();
        limit.Admits(100).Should().BeFalse();
    }
}

using Actors.Workers;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Workers;

/// <summary>A worker's running requests as plain logic: counted while running, given up when hung.</summary>
public sealed class RunningRequestsSpecs
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(10);
    private readonly RunningRequests _running = new();

    [Fact]
    public void A_run_is_counted_until_it_finishes_once()
    {
        using var cancel = new CancellationTokenSource();
        var run = _running.Start(Now.AddSeconds(5), cancel, "r1");

        _running.Count.Should().Be(1);
        _running.TryFinish(run, out var finished).Should().BeTrue();
        finished.RequestId.Should().Be("r1");
        _running.TryFinish(run, out _).Should().BeFalse("a second completion of one run is not counted");
        _running.Count.Should().Be(0);
    }

    [Fact]
    public void A_run_still_going_abandon_after_past_its_deadline_is_given_up_and_its_late_completion_not_counted()
    {
        using var cancel = new CancellationTokenSource();
        var late = _running.Start(Now, cancel, "late");
        _running.Start(Now.AddSeconds(30), cancel, "on-time");

        _running.TakeHung(Now + AbandonAfter, AbandonAfter).Should().BeEmpty("exactly abandon-after past is not yet hung");
        var hung = _running.TakeHung(Now + AbandonAfter + TimeSpan.FromMilliseconds(1), AbandonAfter);

        hung.Select(h => h.RequestId).Should().Equal("late");
        _running.Count.Should().Be(1);
        _running.TryFinish(late, out _).Should().BeFalse();
    }

    [Fact]
    public void Run_numbers_are_not_reused()
    {
        using var cancel = new CancellationTokenSource();
        var first = _running.Start(Now, cancel, "r1");
        _running.TryFinish(first, out _);

        _running.Start(Now, cancel, "r2").Should().NotBe(first, "a completion of the first must never match the second");
    }
}

using Actors.Entities;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>The live-entity table as plain logic (probes stand in for entities): the LRU cap and the idle sweep.</summary>
public sealed class LiveEntitiesSpecs : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Over_the_cap_the_least_recently_used_entity_is_told_to_passivate_once()
    {
        var live = new LiveEntities(cap: 2, idleTimeout: TimeSpan.FromHours(1));
        var (a, b, c) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        live.Started(a.Ref);
        var usedLater = live.Started(b.Ref);
        usedLater.Used();

        live.Started(c.Ref);

        a.ExpectMsg<PassivateOverCap>();
        b.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        c.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        live.Count.Should().Be(2, "the evicted one is forgotten at once, so it is asked once");
    }

    [Fact]
    public void The_sweep_tells_each_idle_entity_once_and_a_used_one_becomes_idle_again_only_after_the_timeout()
    {
        var live = new LiveEntities(cap: 0, idleTimeout: TimeSpan.FromMilliseconds(1));
        var probe = CreateTestProbe();
        var entry = live.Started(probe.Ref);
        AwaitCondition(() => entry.IdleFor(TimeSpan.FromMilliseconds(1)), TimeSpan.FromSeconds(5));

        live.SweepIdle();
        live.SweepIdle();

        probe.ExpectMsg<PassivateIdle>();
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        live.Count.Should().Be(1, "it stays counted until it stops");
    }

    [Fact]
    public void A_stopped_entity_is_no_longer_counted()
    {
        var live = new LiveEntities(cap: 10, idleTimeout: TimeSpan.FromHours(1));
        var entry = live.Started(CreateTestProbe().Ref);
        live.Started(CreateTestProbe().Ref);

        live.Stopped(entry);
        live.Stopped(entry);

        live.Count.Should().Be(1);
    }

    [Fact]
    public void The_sweep_runs_every_quarter_of_the_idle_timeout_within_bounds()
    {
        new LiveEntities(0, TimeSpan.FromMinutes(2)).SweepInterval.Should().Be(TimeSpan.FromSeconds(30));
        new LiveEntities(0, TimeSpan.FromSeconds(40)).SweepInterval.Should().Be(TimeSpan.FromSeconds(10));
        new LiveEntities(0, TimeSpan.FromMilliseconds(100)).SweepInterval.Should().Be(TimeSpan.FromMilliseconds(50));
    }
}

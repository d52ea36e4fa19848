using Actors.Gateway;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Gateway;

/// <summary>Requests over their route's limit waiting for a slot, as plain logic.</summary>
public sealed class AdmissionQueueSpecs
{
    private static readonly LimitSettings Fixed = TestLimits.Fixed;

    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(50);
    private readonly Route _route = new("entity type counter", ActorRefs.Nobody, AdmissionLimit.Fixed(10, Fixed));
    private readonly AdmissionQueue _queue = new(Wait);

    private Queued At(string id, long now, TimeSpan? within = null, Route? route = null) =>
        new(new GetCounter(id, "k"), new Waiter(ActorRefs.Nobody), within ?? TimeSpan.FromSeconds(30), null, route ?? _route, now);

    /// <summary>Ten in flight answering in 20 ms each: a slot every 2 ms.</summary>
    private void Paced()
    {
        for (var i = 0; i < 10; i++)
        {
            _route.Limit.Completed(20, 1_000 + (i * 12));
        }
    }

    [Fact]
    public void In_a_surge_no_request_waits_for_a_slot_and_once_it_is_over_they_wait_again()
    {
        Paced();
        _queue.TryQueue(At("before", 1_120)).Should().BeTrue();

        // A window with 50 refusals per reply: the route is in a surge while its hint holds.
        for (var i = 0; i < 500; i++)
        {
            _route.Limit.Refused(1_130);
        }

        for (var i = 0; i < 10; i++)
        {
            _route.Limit.Completed(20, 1_130 + (i * 12));
        }

        var hint = (long)_route.Limit.RetryAfter.TotalMilliseconds;
        _route.Limit.Surging(1_240).Should().BeTrue();
        _queue.TryQueue(At("during", 1_240)).Should().BeFalse("arrivals fill every slot that frees: refused at once");
        _queue.TryQueue(At("after", 1_238 + (2 * hint))).Should().BeTrue("the hint held 1.5 x itself; then requests wait again");
    }

    [Fact]
    public void Slots_go_to_the_oldest_waiting_request_first_and_only_while_the_route_admits()
    {
        Paced();
        _queue.TryQueue(At("a", 1_000)).Should().BeTrue();
        _queue.TryQueue(At("b", 1_001)).Should().BeTrue();
        var expired = new List<Queued>();

        _queue.Next(_route, admits: false, now: 1_010, expired).Should().BeNull("no slot is free");
        _queue.Next(_route, admits: true, now: 1_010, expired)!.Request.RequestId.Should().Be("a");
        _queue.Next(_route, admits: true, now: 1_011, expired)!.Request.RequestId.Should().Be("b");
        _queue.Next(_route, admits: true, now: 1_012, expired).Should().BeNull();
        (expired.Count, _queue.Count).Should().Be((0, 0));
    }

    [Fact]
    public void A_request_the_routes_pace_could_not_reach_within_the_wait_is_not_queued()
    {
        Paced();
        // A slot every 2 ms: 25 fit in 50 ms.
        Enumerable.Range(0, 25).Should().OnlyContain(i => _queue.TryQueue(At($"r{i}", 1_000)));
        _queue.TryQueue(At("late", 1_000)).Should().BeFalse();
        _queue.Count.Should().Be(25);
    }

    [Fact]
    public void A_request_that_waited_past_the_wait_is_handed_back_to_be_refused_and_a_caller_with_less_time_is_never_queued()
    {
        Paced();
        _queue.TryQueue(At("old", 1_000)).Should().BeTrue();
        _queue.TryQueue(At("young", 1_040)).Should().BeTrue();
        _queue.TryQueue(At("hurried", 1_040, within: TimeSpan.FromMilliseconds(40))).Should().BeFalse();

        var expired = new List<Queued>();
        _queue.Next(_route, admits: true, now: 1_060, expired)!.Request.RequestId.Should().Be("young");
        expired.Select(q => q.Request.RequestId).Should().Equal("old");
        _queue.TryQueue(At("idle", 1_100)).Should().BeTrue();
        _queue.Expire(now: 1_151).Select(q => q.Request.RequestId).Should().Equal("idle");
        _queue.Count.Should().Be(0);
    }

    [Fact]
    public void Routes_wait_apart_and_clear_hands_back_every_request_and_no_wait_queues_nothing()
    {
        var other = new Route("lane cpu", ActorRefs.Nobody, AdmissionLimit.Fixed(10, Fixed));
        _queue.TryQueue(At("a", 1_000)).Should().BeTrue("before any reply the route is taken to free a slot per wait / limit");
        _queue.TryQueue(At("b", 1_000, route: other)).Should().BeTrue();

        _queue.Next(other, admits: true, now: 1_001, [])!.Request.RequestId.Should().Be("b");
        _queue.Clear().Select(q => q.Request.RequestId).Should().Equal("a");
        _queue.Count.Should().Be(0);
        new AdmissionQueue(TimeSpan.Zero).TryQueue(At("c", 1_000)).Should().BeFalse();
    }
}

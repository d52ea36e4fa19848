using Actors.Gateway;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Gateway;

/// <summary>The gateway's in-flight table as plain logic: slots, deadlines, overdue requests, parking while the cluster changes.</summary>
public sealed class InFlightTableSpecs
{
    private static readonly LimitSettings Adaptive = TestLimits.Adaptive;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private readonly InFlightTable _table = new(Deadline, Settle);
    private readonly Route _entities = new("entity type counter", ActorRefs.Nobody, new AdmissionLimit(2, 50, Adaptive)) { ResendRetries = true };
    private readonly Route _lane = new("lane cpu", ActorRefs.Nobody, new AdmissionLimit(2, 50, Adaptive));
    private long _now = 1_000_000;

    /// <summary>A request that must not run twice, as a user's own type may be.</summary>
    private sealed record SendEmail(string RequestId) : IRequest;
    private int _ids;

    private RoutedRequest Add(Route route, IRequest? request = null, TimeSpan? within = null)
    {
        request ??= new AddToCounter($"r{++_ids}", "k", 1);
        var routed = new RoutedRequest(Guid.NewGuid(), request, DateTime.UtcNow + (within ?? Deadline));
        _table.TryAdd(route, routed, new Waiter(ActorRefs.Nobody), within ?? Deadline, _now).Should().BeTrue();
        return routed;
    }

    private void FillTo(Route route, int count)
    {
        while (route.InFlight < count)
        {
            _table.Admits(route, _now).Should().BeTrue();
            Add(route);
        }
    }

    [Fact]
    public void A_route_takes_requests_up_to_its_adaptive_limit_then_refuses()
    {
        FillTo(_entities, 10);

        _table.Admits(_entities, _now).Should().BeFalse("the limit starts at 10");
        _entities.Working.Should().Be(10);
        _table.Count.Should().Be(10);
    }

    [Fact]
    public void A_reply_frees_its_slot_only_with_its_token()
    {
        var routed = Add(_entities);

        _table.Complete(routed.Request.RequestId, Guid.NewGuid(), _now).Should().BeNull("a forged or stale token");
        _entities.InFlight.Should().Be(1);

        var entry = _table.Complete(routed.Request.RequestId, routed.Token, _now + 5);
        entry!.Routed.Should().Be(routed);
        _entities.InFlight.Should().Be(0);
        _table.Complete(routed.Request.RequestId, routed.Token, _now + 6).Should().BeNull("answered once");
    }

    [Fact]
    public void An_id_in_flight_is_not_admitted_twice()
    {
        var first = Add(_entities);
        var copy = new RoutedRequest(Guid.NewGuid(), first.Request, first.Deadline);

        _table.TryAdd(_entities, copy, new Waiter(ActorRefs.Nobody), Deadline, _now).Should().BeFalse();
        _entities.InFlight.Should().Be(1);
    }

    [Fact]
    public void A_request_past_its_deadline_becomes_overdue_holding_a_slot_of_the_maximum_only_until_its_late_reply()
    {
        var routed = Add(_entities, within: TimeSpan.FromSeconds(1));
        FillTo(_entities, 10);

        var due = _table.Expire(DateTime.UtcNow + TimeSpan.FromSeconds(2), _now + 2_000);

        due.Select(e => e.Id).Should().Equal(routed.Request.RequestId);
        _entities.InFlight.Should().Be(10, "the overdue request may still be running");
        _entities.Working.Should().Be(9, "but the adaptive limit counts only requests answered later");
        _table.IsOverdue(routed.Request.RequestId).Should().BeTrue();

        _table.Complete(routed.Request.RequestId, routed.Token, _now + 3_000).Should().BeNull("its caller was answered Timeout");
        _entities.InFlight.Should().Be(9);
        _entities.Overdue.Should().Be(0);
    }

    [Fact]
    public void An_overdue_request_without_a_late_reply_gives_its_slot_back_after_ten_deadlines()
    {
        Add(_entities, within: TimeSpan.FromSeconds(1));
        _table.Expire(DateTime.UtcNow + TimeSpan.FromSeconds(2), _now);

        _table.Expire(DateTime.UtcNow, _now + 10 * (long)Deadline.TotalMilliseconds);
        _entities.InFlight.Should().Be(1, "ten deadlines have not passed yet");

        _table.Expire(DateTime.UtcNow, _now + 10 * (long)Deadline.TotalMilliseconds + 1);
        _entities.InFlight.Should().Be(0);
        _table.Count.Should().Be(0);
    }

    [Fact]
    public void A_request_overdue_here_refuses_a_new_one_with_its_id_unless_it_is_idempotent()
    {
        var write = Add(_lane, new SendEmail("mail-1"), TimeSpan.FromSeconds(1));
        var read = Add(_entities, new GetCounter("read-1", "k"), TimeSpan.FromSeconds(1));
        _table.Expire(DateTime.UtcNow + TimeSpan.FromSeconds(2), _now);

        _table.TryAdd(_lane, new RoutedRequest(Guid.NewGuid(), write.Request, DateTime.UtcNow + Deadline),
            new Waiter(ActorRefs.Nobody), Deadline, _now).Should().BeFalse("it may still be running; a second copy could apply it twice");
        _table.TryAdd(_entities, new RoutedRequest(Guid.NewGuid(), read.Request, DateTime.UtcNow + Deadline),
            new Waiter(ActorRefs.Nobody), Deadline, _now).Should().BeTrue();
    }

    [Fact]
    public void When_a_member_becomes_unreachable_entity_requests_in_flight_are_parked_and_stop_counting_against_the_limit()
    {
        FillTo(_entities, 10);
        FillTo(_lane, 10);
        _table.Admits(_entities, _now).Should().BeFalse();

        _table.MemberUnreachable("node-3");

        _entities.Parked.Should().Be(10, "they may wait on the member that went away");
        _entities.Working.Should().Be(0);
        _lane.Parked.Should().Be(0, "a lane runs in this process");
        _table.Admits(_lane, _now).Should().BeFalse();
    }

    [Fact]
    public void A_parked_request_answered_late_is_not_a_latency_sample()
    {
        var parked = Enumerable.Range(0, 10).Select(_ => Add(_entities)).ToList();
        _table.MemberUnreachable("node-3");
        _table.MemberReachable("node-3");
        var limitBefore = _entities.Limit.Current;

        // Ten replies 15 s late: a window that would cut the limit if it were heard.
        foreach (var routed in parked)
        {
            _now += 20;
            _table.Complete(routed.Request.RequestId, routed.Token, _now + 15_000);
        }

        _entities.Limit.Current.Should().Be(limitBefore);
        _entities.Parked.Should().Be(0);
        _entities.InFlight.Should().Be(0);
    }

    [Fact]
    public void While_a_removed_members_shards_move_entity_requests_are_admitted_up_to_the_maximum_and_parked()
    {
        FillTo(_entities, 10);
        _table.MemberRemoved("node-3", _now);

        while (_table.Admits(_entities, _now + 1_000))
        {
            Add(_entities);
        }

        _entities.InFlight.Should().Be(50, "the hard maximum still bounds them");
        _entities.Parked.Should().Be(50);
        _table.Unsettled(_now + (long)Settle.TotalMilliseconds).Should().BeFalse();
    }

    [Fact]
    public void A_member_leaving_gracefully_parks_nothing_its_shards_were_handed_off_first()
    {
        FillTo(_entities, 10);

        _table.MemberUnreachable("node-3", leaving: true);
        _table.MemberRemoved("node-3", _now, downed: false);

        _entities.Parked.Should().Be(0);
        _table.Unsettled(_now).Should().BeFalse();
        _table.Admits(_entities, _now).Should().BeFalse("the adaptive limit still protects the members taking its shards");
        _table.TakeSentBeforeChange(_now).Should().HaveCount(10, "a copy sent before may still have been lost in the hand-off");
    }

    [Fact]
    public void Once_settled_new_requests_count_against_the_limit_again()
    {
        _table.MemberRemoved("node-3", _now);
        _now += (long)Settle.TotalMilliseconds;

        FillTo(_entities, 10);

        _entities.Parked.Should().Be(0);
        _table.Admits(_entities, _now).Should().BeFalse();
    }

    [Fact]
    public void After_a_removal_the_entity_requests_sent_before_it_are_taken_for_resending_once()
    {
        var before = Add(_entities);
        Add(_lane);
        _table.MemberRemoved("node-3", _now);
        var after = Add(_entities);

        _table.TakeSentBeforeChange(_now).Select(e => e.Id).Should().Equal(before.Request.RequestId);
        _table.TakeSentBeforeChange(_now).Should().BeEmpty("it was marked sent again");
        _table.TryGet(after.Request.RequestId, out var entry).Should().BeTrue();
        _table.ShouldResend(entry, _now, resendAfterMs: 10_000).Should().BeFalse();
        _table.ShouldResend(entry, _now + 10_000, resendAfterMs: 10_000).Should().BeTrue("out for resend-retries-after");
    }

    [Fact]
    public void Entity_requests_unanswered_for_resend_retries_after_are_taken_for_resending_and_lane_requests_never()
    {
        var early = Add(_entities);
        Add(_lane);
        _now += 2_000;
        var late = Add(_entities);

        _table.TakeUnanswered(_now + 999, resendAfterMs: 3_000).Should().BeEmpty();
        _table.TakeUnanswered(_now + 1_000, resendAfterMs: 3_000).Select(e => e.Id).Should().Equal(early.Request.RequestId);
        _table.TakeUnanswered(_now + 3_000, resendAfterMs: 3_000).Select(e => e.Id).Should().Equal(late.Request.RequestId);
        _table.TakeUnanswered(_now + 4_000, resendAfterMs: 3_000).Select(e => e.Id)
            .Should().Equal([early.Request.RequestId], "sent again at +1,000: due again 3,000 later, not before");
        _entities.InFlight.Should().Be(2, "a copy sent again takes no slot of its own");
    }

    [Fact]
    public void Clearing_answers_everything_live_and_gives_every_slot_back()
    {
        Add(_entities, within: TimeSpan.FromSeconds(1));
        _table.Expire(DateTime.UtcNow + TimeSpan.FromSeconds(2), _now);
        Add(_entities);
        Add(_lane);
        _table.MemberUnreachable("node-3");

        _table.Clear().Should().HaveCount(2);

        _entities.InFlight.Should().Be(0);
        _entities.Overdue.Should().Be(0);
        _entities.Parked.Should().Be(0);
        _lane.InFlight.Should().Be(0);
        _table.Count.Should().Be(0);
    }
}

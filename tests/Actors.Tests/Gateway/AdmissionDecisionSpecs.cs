using Actors.Gateway;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Gateway;

/// <summary>The gateway's decision for each request, as plain logic: refuse (and why), send, or join a copy in flight.</summary>
public sealed class AdmissionDecisionSpecs
{
    private static readonly LimitSettings Fixed = TestLimits.Fixed;

    private static readonly NodeLimits Limits = new(MaxKeyLength: 16, MaxRequestIdLength: 16, MaxBatchSize: 10,
        PartialReplyAfter: TimeSpan.FromMilliseconds(50), OffenceLogInterval: TimeSpan.FromMinutes(1), FailureInjection: false);

    private static readonly AdmissionSettings Settings = new(MaxInFlight: 3, RequestDeadline: TimeSpan.FromSeconds(60),
        MinRetryAfter: TimeSpan.FromMilliseconds(10), MaxRetryAfter: TimeSpan.FromSeconds(2), ResendRetriesAfter: TimeSpan.FromSeconds(20),
        QueueWait: TimeSpan.Zero, MaxJoinedRetries: 2);

    private readonly InFlightTable _table = new(Settings.RequestDeadline, TimeSpan.FromSeconds(5));
    private readonly Admission _admission;
    private readonly Route _counter = new("entity type counter", ActorRefs.Nobody, AdmissionLimit.Fixed(2, Fixed)) { ResendRetries = true };
    private static readonly Waiter Asker = new(ActorRefs.Nobody);
    private const long Now = 1_000_000;

    public AdmissionDecisionSpecs() => _admission = new Admission(Limits, Settings, _table);

    private Admission.Decision Decide(IRequest request, Route? route = null, TimeSpan? within = null) =>
        _admission.Decide(request, route ?? _counter, Asker, within ?? TimeSpan.FromSeconds(30), Now);

    private static ErrorReply Refusal(Admission.Decision decision) =>
        decision.Should().BeOfType<Admission.Decision.Refused>().Which.Reply;

    [Fact]
    public void A_request_that_breaks_a_node_rule_is_refused_before_anything_else()
    {
        Refusal(Decide(new GetCounter("r1", new string('k', 17)))).Code.Should().Be(ErrorCode.InvalidRequest);
        Refusal(Decide(new GetCounter("", "k"))).Code.Should().Be(ErrorCode.InvalidRequest);
        _table.Count.Should().Be(0);
    }

    [Fact]
    public void A_request_whose_caller_stopped_waiting_or_that_nothing_handles_is_not_run()
    {
        Refusal(Decide(new GetCounter("r1", "k"), within: TimeSpan.Zero)).Code.Should().Be(ErrorCode.Timeout);
        _admission.Decide(new GetCounter("r2", "k"), null, Asker, TimeSpan.FromSeconds(1), Now)
            .Should().BeOfType<Admission.Decision.Refused>().Which.Reply.Code.Should().Be(ErrorCode.UnknownRequest);
    }

    [Fact]
    public void A_request_is_sent_with_a_fresh_token_and_its_deadline()
    {
        var send = Decide(new GetCounter("r1", "k"), within: TimeSpan.FromSeconds(3)).Should().BeOfType<Admission.Decision.Send>().Subject;

        send.Route.Should().Be(_counter);
        send.Routed.Token.Should().NotBeEmpty();
        send.Routed.Deadline.Should().BeCloseTo(DateTime.UtcNow + TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        _table.Count.Should().Be(1);
    }

    [Fact]
    public void Past_the_routes_bound_or_the_nodes_requests_are_refused_overloaded_with_a_hint()
    {
        Decide(new GetCounter("r1", "k"));
        Decide(new GetCounter("r2", "k"));

        var refused = Refusal(Decide(new GetCounter("r3", "k")));
        refused.Code.Should().Be(ErrorCode.Overloaded);
        refused.Message.Should().Contain("entity type counter");
        refused.RetryAfter.Should().NotBeNull();

        var lane = new Route("lane io", ActorRefs.Nobody, AdmissionLimit.Fixed(100, Fixed));
        Decide(new GetCounter("r4", "k"), lane);
        Refusal(Decide(new GetCounter("r5", "k"), lane)).Message.Should().StartWith("node has 3 requests in flight");
        _admission.Rejected.Should().Be(2);
    }

    [Fact]
    public void A_retry_of_a_request_in_flight_waits_for_its_answer_and_is_sent_again_only_after_a_membership_change()
    {
        var first = (Admission.Decision.Send)Decide(new AddToCounter("w1", "k", 1));

        Decide(new AddToCounter("w1", "k", 1)).Should().BeSameAs(Admission.Decision.Joined.Instance);
        _table.MemberUnreachable("node-3");
        var resend = Decide(new AddToCounter("w1", "k", 1)).Should().BeOfType<Admission.Decision.Send>().Subject;

        resend.Routed.Should().BeSameAs(first.Routed, "the same copy, so one answer serves every asker");
        _table.TryGet("w1", out var entry).Should().BeTrue();
        entry.Joined.Should().HaveCount(2);
    }

    [Fact]
    public void A_retry_of_a_request_in_flight_is_joined_and_resent_even_when_its_route_is_full()
    {
        // A hand-off dropped the copies in flight: the route is full of them, and only their
        // retries can free it. Refused Overloaded, they would hold every slot until their deadline.
        var first = (Admission.Decision.Send)Decide(new AddToCounter("w1", "k", 1));
        Decide(new AddToCounter("w2", "k", 1));
        Refusal(Decide(new AddToCounter("w3", "k", 1))).Code.Should().Be(ErrorCode.Overloaded);

        Decide(new AddToCounter("w1", "k", 1)).Should().BeSameAs(Admission.Decision.Joined.Instance);
        var resend = _admission.Decide(new AddToCounter("w1", "k", 1), _counter, Asker, TimeSpan.FromSeconds(30),
            Now + (long)Settings.ResendRetriesAfter.TotalMilliseconds).Should().BeOfType<Admission.Decision.Send>().Subject;

        resend.Routed.Should().BeSameAs(first.Routed);
        _table.Count.Should().Be(2, "a retry takes no slot of its own");
        _admission.Rejected.Should().Be(1);
    }

    [Fact]
    public void Retries_joining_one_copy_are_bounded_past_that_refused_overloaded()
    {
        Decide(new AddToCounter("w1", "k", 1));
        Decide(new AddToCounter("w1", "k", 1)).Should().BeSameAs(Admission.Decision.Joined.Instance);
        Decide(new AddToCounter("w1", "k", 1)).Should().BeSameAs(Admission.Decision.Joined.Instance);

        var refused = Refusal(Decide(new AddToCounter("w1", "k", 1)));

        refused.Code.Should().Be(ErrorCode.Overloaded);
        refused.Message.Should().Contain("2 retries");
        _table.TryGet("w1", out var running).Should().BeTrue();
        running.Joined.Should().HaveCount(Settings.MaxJoinedRetries);
    }

    [Fact]
    public void A_different_request_with_an_id_in_flight_is_refused_and_not_counted_as_an_outcome()
    {
        Decide(new AddToCounter("w1", "k", 1));

        var refused = Decide(new AddToCounter("w1", "k", 2)).Should().BeOfType<Admission.Decision.Refused>().Subject;

        refused.Reply.Code.Should().Be(ErrorCode.InvalidRequest);
        refused.Counted.Should().BeFalse();
    }

    [Fact]
    public void A_draining_node_refuses_everything_as_retryable_elsewhere()
    {
        _admission.Draining = true;

        var refused = Refusal(Decide(new GetCounter("r1", "k")));

        refused.Code.Should().Be(ErrorCode.Overloaded);
        refused.RetryAfter.Should().Be(Settings.MinRetryAfter);
    }
}

using System.Diagnostics;
using Actors.Protocol;
using Actors.Security;
using Actors.Serialization;
using Actors.Telemetry;
using Actors.Tracing;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Actors.Gateway;

/// <summary>
/// The front door of a node, registered with the ClusterClient receptionist. It checks the
/// node-wide rules, admits a request only while the node, and the request's lane or entity type,
/// are under their in-flight bounds (otherwise it answers <see cref="ErrorCode.Overloaded"/> at
/// once with a retry-after hint; <see cref="Admission"/>), and routes it. Replies come back
/// through the gateway, which is how it knows what is in flight (<see cref="InFlightTable"/>); one
/// it never gets by the request deadline is answered <see cref="ErrorCode.Timeout"/>. So every
/// request that reaches a node gets exactly one reply. Anything that is not a request is dropped
/// with one warning. Its messages are in GatewayProtocol.cs.
/// </summary>
public sealed partial class GatewayActor : ReceiveActor, IWithTimers
{
    /// <summary>Where every node's gateway lives: <c>/user/gateway</c>.</summary>
    public const string Name = "gateway";

    // Once the shard coordinators have heard of a removal too.
    private static readonly TimeSpan ResendAfterRemovalDelay = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeLimits _limits;
    private readonly TimeSpan _deadline;
    private readonly OffenceLog _offences;
    private readonly InFlightTable _inFlight;
    private readonly Admission _admission;
    private readonly RouteCache _routes;
    private readonly GatewayCounts _counts;
    private readonly GatewayReplies _replies = new();
    private readonly DrainWait _drain = new();
    private readonly string _selfAddress;
    private readonly long _resendAfterMs;

    public GatewayActor(NodeLimits limits, AdmissionSettings admission, Func<Type, Route?> resolve, NodeTelemetry telemetry)
    {
        _limits = limits;
        _deadline = admission.RequestDeadline;
        _resendAfterMs = (long)admission.ResendRetriesAfter.TotalMilliseconds;
        _routes = new RouteCache(resolve);
        _selfAddress = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        _counts = new GatewayCounts(telemetry);
        _offences = new OffenceLog(_log, limits.OffenceLogInterval);
        _inFlight = new InFlightTable(admission.RequestDeadline, MembershipEvents.SettleAfterRemoval(Context.System));
        _admission = new Admission(limits, admission, _inFlight,
            Self.Path.ToStringWithAddress(Akka.Cluster.Cluster.Get(Context.System).SelfAddress), WireShape.Of(Context.System));

        Receive<TimedRequest>(timed => Take(timed.Request, timed.Remaining < _deadline ? timed.Remaining : _deadline, timed.TraceParents));
        Receive<IRequest>(request => Take(request, _deadline, null));
        Receive<RoutedReply>(Complete);
        Receive<RequestUndelivered>(Undelivered);
        Receive<DrainGateway>(drain =>
        {
            _log.Info("Gateway draining before the node leaves: {0} requests in flight", _inFlight.Live);
            _admission.Draining = true;
            // Requests waiting for a slot were not taken on: refused as leaving, retryable elsewhere.
            _admission.Queue.Clear().ForEach(queued => Readmit(queued, Environment.TickCount64));
            _drain.Start(Sender, drain.Within, Environment.TickCount64);
            _drain.Check(_inFlight.Live, Environment.TickCount64);
        });
        Receive<ClusterEvent.IClusterDomainEvent>(change =>
        {
            if (MembershipEvents.Apply(_inFlight, change, Environment.TickCount64))
            {
                Timers.StartSingleTimer(nameof(ResendAfterRemoval), ResendAfterRemoval.Instance, ResendAfterRemovalDelay);
            }
        });
        // A statement, not an expression: a Func<T, bool> handler returning false would leave the message unhandled.
        Receive<ClusterEvent.CurrentClusterState>(state => { MembershipEvents.Apply(_inFlight, state, Environment.TickCount64); });
        Receive<ResendAfterRemoval>(_ => ResendLostWithMember());
        Receive<FlushPartialBatches>(_ => _replies.SendPartialBatches());
        Receive<ExpireQueued>(_ => ExpireWaiting());
        Receive<Sweep>(_ =>
        {
            ExpireOverdue();
            ResendUnanswered();
            _drain.Check(_inFlight.Live, Environment.TickCount64);
        });
        Receive<GetGatewayStats>(get => Sender.Tell(_counts.Stats(get.WindowSeconds, _inFlight.Count, _routes.InFlightByName(),
            _admission.Rejected, Environment.TickCount64) with
        { Waiting = _admission.Queue.Count }));
        ReceiveAny(other => _offences.Report($"a {other.GetType().Name} sent to the gateway (not a request)", Sender));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeLimits limits, AdmissionSettings admission, Func<Type, Route?> resolve, NodeTelemetry telemetry) =>
        Akka.Actor.Props.Create(() => new GatewayActor(limits, admission, resolve, telemetry)).WithMailbox(GatewayMailbox.Id);

    protected override void PreStart()
    {
        MembershipEvents.Subscribe(Context.System, Self);
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, _deadline.Ticks / 20));
        Timers.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, every);
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        // Stopping (or restarting) with these still running: each caller still gets its one answer,
        // and the routes, which outlive this instance, get their slots back.
        foreach (var entry in _inFlight.Clear())
        {
            AnswerAll(entry, GatewayErrors.Stopped(entry));
        }

        foreach (var queued in _admission.Queue.Clear())
        {
            Answer(queued.Waiter, GatewayErrors.StoppedWaiting(queued));
        }

        _replies.SendPartialBatches();
    }

    /// <summary>A request or batch, with the time its caller still waits (the smaller of that and request-deadline).</summary>
    /// <param name="traces">Each traced call's traceparent: one for a request, one per item of a batch (else ignored).</param>
    private void Take(IRequest? request, TimeSpan within, string[]? traces)
    {
        if (request is not RequestBatch batch)
        {
            if (request is null)
            {
                _offences.Report("a timed request without its request", Sender);
                return;
            }

            Admit(request, new Waiter(Sender), within, traces is [var trace] ? trace : null);
            return;
        }

        if (RequestRules.Check(batch, _limits) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var pending = new Batch(batch.RequestId, Sender, batch.Items.Length, batch.AnswerAsCompleted);
        foreach (var (item, index) in pending.Admissible(batch.Items))
        {
            Admit(item, new Waiter(Sender, pending, index), within, traces?.Length == batch.Items.Length ? traces[index] : null);
        }
    }

    private void Admit(IRequest request, Waiter waiter, TimeSpan within, string? traceParent)
    {
        var type = request.GetType();
        var span = ActorsTracing.On ? StartSpan(type, request.RequestId, traceParent) : null;
        switch (_admission.Decide(request, _routes.Of(type), waiter, within, Environment.TickCount64, span?.Id ?? traceParent, traceParent))
        {
            case Admission.Decision.Refused refused:
                ActorsTracing.Stop(span, refused.Reply);
                _log.Debug("Refused request {0}: {1}", request.RequestId, refused.Reply.Message);
                if (refused.Counted)
                {
                    _counts.Refused(type, refused.Reply.Code, Environment.TickCount64);
                }

                Answer(waiter, refused.Reply);
                break;
            case Admission.Decision.Send send:
                _counts.InFlight(_inFlight.Count);
                send.Route.Target.Tell(send.Routed, Self);
                KeepSpan(send.Routed, span);
                break;
            case Admission.Decision.Waiting:
                // Its span starts again when a slot takes it.
                ActorsTracing.Stop(span, null);
                if (!Timers.IsTimerActive(nameof(ExpireQueued)))
                {
                    Timers.StartSingleTimer(nameof(ExpireQueued), ExpireQueued.Instance, _admission.Queue.MaxWait);
                }

                break;
            default:
                // Joined a copy in flight: that copy's span covers the work.
                ActorsTracing.Stop(span, null);
                break;
        }
    }

    private void Complete(RoutedReply routedReply)
    {
        var now = Environment.TickCount64;
        var entry = routedReply.Reply?.RequestId is { } id ? _inFlight.Complete(id, routedReply.Token, now) : null;
        _counts.InFlight(_inFlight.Count);
        if (entry is null)
        {
            // The second answer to a copy sent again, a late one after Timeout, or a forgery: no effect.
            _log.Debug("Reply {0} for request {1} matches nothing in flight; dropped", routedReply.Reply?.GetType().Name,
                routedReply.Reply?.RequestId);
            return;
        }

        _counts.Completed(entry, routedReply.Reply!, now);
        AnswerAll(entry, routedReply.Reply!);
        _drain.Check(_inFlight.Live, now);
        ReleaseWaiting(entry.Route);
    }

    private void Undelivered(RequestUndelivered undelivered)
    {
        // Believed only with the request's token: anyone else could cut other callers' requests short.
        if (undelivered.RequestId is not null && _inFlight.Undelivered(undelivered.RequestId, undelivered.Token) is { } entry)
        {
            Fail(entry, GatewayErrors.Undelivered(entry, undelivered.Reason));
            _drain.Check(_inFlight.Live, Environment.TickCount64);
            ReleaseWaiting(entry.Route);
        }
    }

    private void ExpireOverdue()
    {
        // The wall clock the lanes and entities read too: once answered Timeout here, a request is not run there.
        var due = _inFlight.Expire(DateTime.UtcNow, Environment.TickCount64);
        if (due.Count > 0)
        {
            _log.Warning("{0} requests got no reply by their deadline (at most {1}); answered Timeout", due.Count, _deadline);
            due.ForEach(entry => Fail(entry, GatewayErrors.Timeout(entry)));
            foreach (var route in due.Select(entry => entry.Route).Distinct())
            {
                ReleaseWaiting(route);
            }
        }
    }

    private void Fail(InFlight entry, ErrorReply error)
    {
        _counts.InFlight(_inFlight.Count);
        _counts.Refused(entry.Type, error.Code, Environment.TickCount64);
        AnswerAll(entry, error);
    }

    private void Answer(Waiter waiter, IReply reply)
    {
        if (_replies.Answer(waiter, reply))
        {
            StartFlushTimer();
        }
    }

    private void AnswerAll(InFlight entry, IReply reply)
    {
        ActorsTracing.Stop(entry.Span, reply);
        if (_replies.AnswerAll(entry, reply))
        {
            StartFlushTimer();
        }
    }

    private void StartFlushTimer() =>
        Timers.StartSingleTimer(nameof(FlushPartialBatches), FlushPartialBatches.Instance, _limits.PartialReplyAfter);
}

using Actors.Protocol;
using Actors.Security;
using Actors.Telemetry;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Actors.Gateway;

/// <summary>
/// The front door of a node, registered with the ClusterClient receptionist. It checks the
/// node-wide rules, admits a request only while the node, and the request's lane or entity type,
/// are under their in-flight bounds (otherwise it answers <see cref="ErrorCode.Overloaded"/> at
/// once with a retry-after hint), and routes it. Replies come back through the gateway, which
/// is how it knows what is in flight (<see cref="InFlightTable"/>); one it never gets by the
/// request deadline is answered <see cref="ErrorCode.Timeout"/>. So every request that reaches a
/// node gets exactly one reply. Anything that is not a request is dropped with one warning.
/// </summary>
public sealed class GatewayActor : ReceiveActor, IWithTimers
{
    /// <summary>Where every node's gateway lives: <c>/user/gateway</c>.</summary>
    public const string Name = "gateway";

    private static readonly TimeSpan UndeliveredRetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ResendAfterRemovalDelay = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeLimits _limits;
    private readonly AdmissionSettings _admission;
    private readonly Func<Type, Route?> _resolve;
    private readonly NodeTelemetry _telemetry;
    private readonly LatencyWindow _latency = new();
    private readonly OffenceLog _offences;
    private readonly InFlightTable _inFlight;
    private readonly Admission _decide;
    private readonly GatewayReplies _replies = new();
    private readonly Dictionary<Type, Route?> _routes = new();
    private long _completed;

    // Who waits to hear the drain is done, and until when at most.
    private (IActorRef ReplyTo, long Until)? _drainWaiter;

    public GatewayActor(NodeLimits limits, AdmissionSettings admission, Func<Type, Route?> resolve, NodeTelemetry telemetry)
    {
        _limits = limits;
        _admission = admission;
        _resolve = resolve;
        _telemetry = telemetry;
        _offences = new OffenceLog(_log, limits.OffenceLogInterval);
        _inFlight = new InFlightTable(admission.RequestDeadline, SettleAfterRemoval(Context.System));
        _decide = new Admission(limits, admission, _inFlight,
            Self.Path.ToStringWithAddress(Akka.Cluster.Cluster.Get(Context.System).SelfAddress));
        Receive<RequestBatch>(batch => AdmitBatch(batch, _admission.RequestDeadline));
        Receive<TimedRequest>(Timed);
        Receive<IRequest>(request => Admit(request, new Waiter(Sender), _admission.RequestDeadline));
        Receive<RoutedReply>(Complete);
        Receive<RequestUndelivered>(Undelivered);
        Receive<DrainGateway>(StartDraining);
        Receive<ClusterEvent.UnreachableMember>(m => _inFlight.MemberUnreachable(m.Member.UniqueAddress.ToString(), Leaving(m.Member)));
        Receive<ClusterEvent.ReachableMember>(m => _inFlight.MemberReachable(m.Member.UniqueAddress.ToString()));
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            _inFlight.MemberRemoved(m.Member.UniqueAddress.ToString(), Environment.TickCount64, m.PreviousStatus == MemberStatus.Down);
            // Once the coordinators have heard of the removal too.
            Timers.StartSingleTimer(nameof(ResendAfterRemoval), ResendAfterRemoval.Instance, ResendAfterRemovalDelay);
        });
        Receive<ResendAfterRemoval>(_ => ResendLostWithMember());
        // A gateway (re)started while a member is unreachable: requests for entities park from the start.
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Unreachable)
            {
                _inFlight.MemberUnreachable(member.UniqueAddress.ToString(), Leaving(member));
            }
        });
        Receive<FlushPartialBatches>(_ => _replies.SendPartialBatches());
        Receive<Sweep>(_ =>
        {
            ExpireOverdue();
            CheckDrained();
        });
        Receive<GetGatewayStats>(get => Sender.Tell(Stats(get.WindowSeconds)));
        ReceiveAny(other => _offences.Report($"a {other.GetType().Name} sent to the gateway (not a request)", Sender));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeLimits limits, AdmissionSettings admission, Func<Type, Route?> resolve, NodeTelemetry telemetry) =>
        Akka.Actor.Props.Create(() => new GatewayActor(limits, admission, resolve, telemetry));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved));
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, _admission.RequestDeadline.Ticks / 20));
        Timers.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, every);
    }

    private static bool Leaving(Member member) => member.Status is MemberStatus.Leaving or MemberStatus.Exiting;

    /// <summary>
    /// How long after a member's removal its shards are still moving: sharding waits the downing
    /// provider's removal margin, then regions ask again within two retry intervals.
    /// </summary>
    private static TimeSpan SettleAfterRemoval(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).DowningProvider.DownRemovalMargin +
        2 * system.Settings.Config.GetTimeSpan("akka.cluster.sharding.retry-interval");

    /// <summary>A request with its caller's remaining time: the gateway's deadline is the smaller of that and request-deadline.</summary>
    private void Timed(TimedRequest timed)
    {
        var within = timed.Remaining < _admission.RequestDeadline ? timed.Remaining : _admission.RequestDeadline;
        switch (timed.Request)
        {
            case RequestBatch batch:
                AdmitBatch(batch, within);
                break;
            case { } request:
                Admit(request, new Waiter(Sender), within);
                break;
            default:
                _offences.Report("a timed request without its request", Sender);
                break;
        }
    }

    private void AdmitBatch(RequestBatch batch, TimeSpan within)
    {
        if (RequestRules.Check(batch, _limits) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var pending = new Batch(batch.RequestId, Sender, batch.Items.Length, batch.AnswerAsCompleted);
        for (var i = 0; i < batch.Items.Length; i++)
        {
            var item = batch.Items[i];
            if (item is null or RequestBatch)
            {
                pending.Answer(i, new ErrorReply(item?.RequestId ?? "", ErrorCode.InvalidRequest, "a batch item must be a request, not a batch"));
                continue;
            }

            Admit(item, new Waiter(Sender, pending, i), within);
        }
    }

    private void Admit(IRequest request, Waiter waiter, TimeSpan within)
    {
        var type = request.GetType();
        switch (_decide.Decide(request, RouteOf(type), waiter, within, Environment.TickCount64))
        {
            case Admission.Decision.Refused refused:
                _log.Debug("Refused request {0}: {1}", request.RequestId, refused.Reply.Message);
                if (refused.Counted)
                {
                    GatewayReplies.Refused(type, refused.Reply.Code);
                }

                Answer(waiter, refused.Reply);
                break;
            case Admission.Decision.Send send:
                _telemetry.SetInFlight(_inFlight.Count);
                send.Route.Target.Tell(send.Routed, Self);
                break;
        }
    }

    private Route? RouteOf(Type type)
    {
        if (!_routes.TryGetValue(type, out var route))
        {
            route = _resolve(type);
            _routes[type] = route;
        }

        return route;
    }

    /// <summary>
    /// A member was removed: requests for entities sent before may have gone down with it. Each
    /// is sent again now (entities recognise a repeated request id and command), instead of
    /// holding its entity type's slot until its caller's next retry or its deadline.
    /// </summary>
    private void ResendLostWithMember()
    {
        var lost = _inFlight.TakeSentBeforeChange(Environment.TickCount64);
        foreach (var entry in lost)
        {
            entry.Route.Target.Tell(entry.Routed, Self);
        }

        if (lost.Count > 0)
        {
            _log.Info("A member was removed: {0} entity requests in flight sent again", lost.Count);
        }
    }

    private void Complete(RoutedReply routedReply)
    {
        var now = Environment.TickCount64;
        if (routedReply.Reply?.RequestId is not { } id || _inFlight.Complete(id, routedReply.Token, now) is not { } entry)
        {
            // The second answer to a copy sent again, a late one after Timeout, or a forgery: no effect.
            _log.Debug("Reply {0} for request {1} matches nothing in flight; dropped", routedReply.Reply?.GetType().Name,
                routedReply.Reply?.RequestId);
            _telemetry.SetInFlight(_inFlight.Count);
            return;
        }

        _telemetry.SetInFlight(_inFlight.Count);
        var elapsed = now - entry.Started;
        _completed++;
        _latency.Record(elapsed, now);
        GatewayReplies.Completed(entry, routedReply.Reply, elapsed);
        AnswerAll(entry, routedReply.Reply);
        CheckDrained();
    }

    private void Undelivered(RequestUndelivered undelivered)
    {
        // Believed only with the request's token: anyone else could cut other callers' requests short.
        if (undelivered.RequestId is null || _inFlight.Undelivered(undelivered.RequestId, undelivered.Token) is not { } entry)
        {
            return;
        }

        _telemetry.SetInFlight(_inFlight.Count);
        GatewayReplies.Refused(entry.Type, ErrorCode.Unavailable);
        var retryAfter = entry.Route.Limit.RetryAfter;
        AnswerAll(entry, new ErrorReply(entry.Id, ErrorCode.Unavailable,
            $"{entry.Route.Name} could not be reached ({undelivered.Reason}); it was not processed there, retry later",
            // Its node is unreachable, leaving or recovering: a retry within milliseconds would meet the same.
            UndeliveredRetryAfter > retryAfter ? UndeliveredRetryAfter : retryAfter));
        CheckDrained();
    }

    private void ExpireOverdue()
    {
        // The wall clock the lanes and entities read too: once answered Timeout here, a request is not run there.
        var due = _inFlight.Expire(DateTime.UtcNow, Environment.TickCount64);
        if (due.Count == 0)
        {
            return;
        }

        _log.Warning("{0} requests got no reply by their deadline (at most {1}); answered Timeout", due.Count, _admission.RequestDeadline);
        _telemetry.SetInFlight(_inFlight.Count);
        foreach (var entry in due)
        {
            GatewayReplies.Refused(entry.Type, ErrorCode.Timeout);
            AnswerAll(entry, new ErrorReply(entry.Id, ErrorCode.Timeout,
                $"{entry.Route.Name} did not answer within {entry.Within.TotalSeconds:0.#} s"));
        }
    }

    private void StartDraining(DrainGateway drain)
    {
        _log.Info("Gateway draining before the node leaves: {0} requests in flight", _inFlight.Live);
        _decide.Draining = true;
        _drainWaiter = (Sender, Environment.TickCount64 + (long)drain.Within.TotalMilliseconds);
        CheckDrained();
    }

    private void CheckDrained()
    {
        if (_drainWaiter is not { } waiter || (_inFlight.Live > 0 && Environment.TickCount64 < waiter.Until))
        {
            return;
        }

        waiter.ReplyTo.Tell(new Drained(_inFlight.Live));
        _drainWaiter = null;
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        // Stopping (or restarting) with these still running: each caller still gets its one answer,
        // and the routes, which outlive this instance, get their slots back.
        foreach (var entry in _inFlight.Clear())
        {
            AnswerAll(entry, new ErrorReply(entry.Id, ErrorCode.Unavailable,
                $"the node stopped before {entry.Route.Name} answered; the request may or may not have been applied"));
        }

        _replies.SendPartialBatches();
    }

    private void Refuse(Type type, Waiter waiter, ErrorReply refusal)
    {
        GatewayReplies.Refused(type, refusal.Code);
        Answer(waiter, refusal);
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
        if (_replies.AnswerAll(entry, reply))
        {
            StartFlushTimer();
        }
    }

    private void StartFlushTimer() =>
        Timers.StartSingleTimer(nameof(FlushPartialBatches), FlushPartialBatches.Instance, _limits.PartialReplyAfter);

    private GatewayStats Stats(int windowSeconds)
    {
        var (count, p99) = _latency.Over(windowSeconds, 99, Environment.TickCount64);
        return new GatewayStats(_inFlight.Count, _routes.Values.OfType<Route>().Distinct().ToDictionary(r => r.Name, r => r.InFlight),
            _completed, _decide.Rejected, count, p99);
    }

    private sealed record FlushPartialBatches
    {
        public static readonly FlushPartialBatches Instance = new();
    }

    private sealed record ResendAfterRemoval
    {
        public static readonly ResendAfterRemoval Instance = new();
    }

    private sealed record Sweep
    {
        public static readonly Sweep Instance = new();
    }
}

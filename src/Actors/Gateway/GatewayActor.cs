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
/// is how it knows what is in flight; one it never gets by the request deadline is answered
/// <see cref="ErrorCode.Timeout"/>. So every request that reaches a node gets exactly one reply.
/// Anything that is not a request is dropped with one warning.
/// </summary>
public sealed class GatewayActor : ReceiveActor, IWithTimers
{
    /// <summary>Where every node's gateway lives: <c>/user/gateway</c>.</summary>
    public const string Name = "gateway";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeLimits _limits;
    private readonly AdmissionSettings _admission;
    private readonly Func<Type, Route?> _resolve;
    private readonly NodeTelemetry _telemetry;
    private readonly LatencyWindow _latency = new();
    private readonly OffenceLog _offences;
    private readonly TokenSource _tokens = new();
    private readonly long _resendAfterMs;
    private static readonly TimeSpan UndeliveredRetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ResendAfterRemovalDelay = TimeSpan.FromSeconds(1);

    // Counts members becoming unreachable or leaving: a request sent in an earlier epoch may have been lost.
    private long _membershipEpoch;
    private long _completed;

    // Set once CoordinatedShutdown asked for a drain: new requests are refused from then on.
    private bool _draining;

    // Who waits to hear the drain is done, and until when at most.
    private (IActorRef ReplyTo, long Until)? _drainWaiter;
    private long _rejected;

    // Only this actor touches these.
    private readonly Dictionary<Type, Route?> _routes = new();
    private readonly Dictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);

    // Batches answered as completed that hold answered items not sent yet.
    private readonly HashSet<Batch> _partialBatches = [];

    // Answered Timeout but possibly still running: they keep their lane / entity-type slot until
    // their late reply comes (or ten deadlines pass), so a hung handler cannot make the node
    // admit more work than it bounds.
    private readonly Dictionary<string, (Route Route, Guid Token, long Expired)> _overdue = new(StringComparer.Ordinal);

    public GatewayActor(NodeLimits limits, AdmissionSettings admission, Func<Type, Route?> resolve, NodeTelemetry telemetry)
    {
        _limits = limits;
        _admission = admission;
        _resolve = resolve;
        _telemetry = telemetry;
        _offences = new OffenceLog(_log, limits.OffenceLogInterval);
        _resendAfterMs = (long)admission.ResendRetriesAfter.TotalMilliseconds;
        Receive<RequestBatch>(batch => AdmitBatch(batch, _admission.RequestDeadline));
        Receive<TimedRequest>(Timed);
        Receive<IRequest>(request => Admit(request, Sender, null, 0, _admission.RequestDeadline));
        Receive<RoutedReply>(Complete);
        Receive<RequestUndelivered>(Undelivered);
        Receive<DrainGateway>(StartDraining);
        Receive<ClusterEvent.UnreachableMember>(_ => _membershipEpoch++);
        Receive<ClusterEvent.MemberRemoved>(_ =>
        {
            _membershipEpoch++;
            // Once the coordinators have heard of the removal too and moved its shards.
            Timers.StartSingleTimer(nameof(ResendAfterRemoval), ResendAfterRemoval.Instance, ResendAfterRemovalDelay);
        });
        Receive<ResendAfterRemoval>(_ => ResendLostWithMember());
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<FlushPartialBatches>(_ => SendPartialBatches());
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
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, _admission.RequestDeadline.Ticks / 20));
        Timers.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, every);
    }

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
                Admit(request, Sender, null, 0, within);
                break;
            default:
                _offences.Report("a timed request without its request", Sender);
                break;
        }
    }

    private void AdmitBatch(RequestBatch batch, TimeSpan within)
    {
        var items = batch.Items;
        if (string.IsNullOrEmpty(batch.RequestId) || items is null || items.Length == 0 || items.Length > _limits.MaxBatchSize)
        {
            Sender.Tell(new ErrorReply(batch.RequestId ?? "", ErrorCode.InvalidRequest,
                $"a batch needs an id and 1 to {_limits.MaxBatchSize} items (got {items?.Length ?? 0})"));
            return;
        }

        var pending = new Batch(batch.RequestId, Sender, items.Length, batch.AnswerAsCompleted);
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item is null or RequestBatch)
            {
                pending.Answer(i, new ErrorReply(item?.RequestId ?? "", ErrorCode.InvalidRequest, "a batch item must be a request, not a batch"));
                continue;
            }

            Admit(item, Sender, pending, i, within);
        }
    }

    private void Admit(IRequest request, IActorRef replyTo, Batch? batch, int index, TimeSpan within)
    {
        if (_draining)
        {
            // Leaving the cluster: the request has not been taken on, so the client may send it anywhere.
            Refused(request.GetType(), ErrorCode.Overloaded);
            Answer(replyTo, batch, index, new ErrorReply(request.RequestId ?? "", ErrorCode.Overloaded,
                "this node is leaving the cluster; send the request to another member", _admission.MinRetryAfter));
            return;
        }

        if (Validate(request) is { } error)
        {
            _log.Debug("Refused request {0}: {1}", request.RequestId, error.Message);
            Refused(request.GetType(), error.Code);
            Answer(replyTo, batch, index, error);
            return;
        }

        if (within <= TimeSpan.Zero)
        {
            Refused(request.GetType(), ErrorCode.Timeout);
            Answer(replyTo, batch, index, new ErrorReply(request.RequestId, ErrorCode.Timeout, "its caller had stopped waiting; not run"));
            return;
        }

        var type = request.GetType();
        if (!_routes.TryGetValue(type, out var route))
        {
            route = _resolve(type);
            _routes[type] = route;
        }

        if (route is null)
        {
            Refused(type, ErrorCode.UnknownRequest);
            Answer(replyTo, batch, index, new ErrorReply(request.RequestId, ErrorCode.UnknownRequest,
                $"no handler or entity type is registered for {type.Name}"));
            return;
        }

        var nodeFull = _inFlight.Count + _overdue.Count >= _admission.MaxInFlight;
        // Requests answered Timeout but maybe still running hold a slot of the hard maximum only:
        // the adaptive limit counts live ones, or a few lost with a dead member would shut a type
        // whose limit sits at its floor for ten deadlines.
        if (nodeFull || route.InFlight >= route.Limit.Max || !route.Limit.Admits(route.InFlight - route.Overdue))
        {
            _rejected++;
            route.Limit.Refused();
            ActorsMetrics.Rejections.Add(1, new KeyValuePair<string, object?>("bound", nodeFull ? "node" : route.Name));
            Refused(type, ErrorCode.Overloaded);
            Answer(replyTo, batch, index, new ErrorReply(request.RequestId, ErrorCode.Overloaded,
                nodeFull
                    ? $"node has {_inFlight.Count + _overdue.Count} requests in flight (limit {_admission.MaxInFlight})"
                    : $"{route.Name} has {route.InFlight - route.Overdue} requests in flight (limit now {route.Limit.Current}, at most {route.Limit.Max})",
                RetryAfter(route)));
            return;
        }

        var now = Environment.TickCount64;
        if (request is IIdempotentRequest && _inFlight.TryGetValue(request.RequestId, out var running) &&
            Equals(running.Routed.Request, request))
        {
            // A client's retry of the very request still in flight here: both askers get its one
            // reply. It is sent again only if a member became unreachable or left since it was sent
            // (its copy may have been lost with that node), or it has been out for resend-retries-after
            // (a shard region drops what it buffered during a hand-off, and a drop seen on another
            // node cannot be traced back here): the entity recognises a repeated id within its
            // request window, but each copy costs a journal read-and-check, so none without cause.
            (running.Waiters ??= []).Add((replyTo, batch, index));
            if (route.ResendRetries && (running.Epoch != _membershipEpoch || now - running.SentAt >= _resendAfterMs))
            {
                Resend(running, now);
            }

            return;
        }

        // An idempotent retry after this gateway answered Timeout starts afresh (the overdue copy keeps its slot).
        var routed = new RoutedRequest(_tokens.Next(), request, DateTime.UtcNow + within);
        if ((_overdue.ContainsKey(request.RequestId) && request is not IIdempotentRequest) ||
            !_inFlight.TryAdd(request.RequestId, new InFlight(replyTo, route, now, routed, batch, index)
            {
                Epoch = _membershipEpoch,
                SentAt = now,
                Within = within,
            }))
        {
            Answer(replyTo, batch, index, new ErrorReply(request.RequestId, ErrorCode.InvalidRequest,
                "a request with this id is already in flight on this node; request ids must be unique"));
            return;
        }

        route.InFlight++;
        route.Limit.Admitted(route.InFlight - route.Overdue);
        _telemetry.SetInFlight(_inFlight.Count + _overdue.Count);
        route.Target.Tell(routed, Self);
    }

    /// <summary>
    /// A member was removed: requests for entities sent before may have gone down with it. Each
    /// is sent again now (entities recognise a repeated request id and command), instead of
    /// holding its entity type's slot until its caller's next retry or its deadline.
    /// </summary>
    private void ResendLostWithMember()
    {
        var now = Environment.TickCount64;
        var resent = 0;
        foreach (var entry in _inFlight.Values)
        {
            if (entry.Route.ResendRetries && entry.Epoch != _membershipEpoch)
            {
                Resend(entry, now);
                resent++;
            }
        }

        if (resent > 0)
        {
            _log.Info("A member was removed: {0} entity requests in flight sent again", resent);
        }
    }

    private void Resend(InFlight entry, long now)
    {
        entry.Epoch = _membershipEpoch;
        entry.SentAt = now;
        entry.Route.Target.Tell(entry.Routed, Self);
    }

    private void Complete(RoutedReply routedReply)
    {
        var reply = routedReply.Reply;
        if (reply?.RequestId is not { } id || !_inFlight.TryGetValue(id, out var entry) || entry.Routed.Token != routedReply.Token)
        {
            // Answered already (Timeout at the deadline): the caller has its one reply; the slot comes back.
            if (reply?.RequestId is { } late && _overdue.TryGetValue(late, out var overdue) && overdue.Token == routedReply.Token)
            {
                _overdue.Remove(late);
                overdue.Route.InFlight--;
                overdue.Route.Overdue--;
            }

            // Otherwise the second answer to a copy sent again, or a forgery: either way it has no effect.
            _log.Debug("Reply {0} for request {1} matches nothing in flight; dropped", reply?.GetType().Name, reply?.RequestId);
            return;
        }

        _inFlight.Remove(id);
        var route = entry.Route;
        route.InFlight--;
        _telemetry.SetInFlight(_inFlight.Count + _overdue.Count);
        var now = Environment.TickCount64;
        var elapsed = now - entry.Started;
        route.Limit.Completed(elapsed, now);
        _completed++;
        _latency.Record(elapsed, now);
        var typeTag = new KeyValuePair<string, object?>("type", entry.Type.Name);
        ActorsMetrics.Requests.Add(1, typeTag, new KeyValuePair<string, object?>("outcome", Outcome(reply)));
        ActorsMetrics.RequestDuration.Record(elapsed / 1000.0, typeTag);
        AnswerAll(entry, reply);
        CheckDrained();
    }

    private void AnswerAll(InFlight entry, IReply reply)
    {
        Answer(entry.ReplyTo, entry.Batch, entry.Index, reply);
        foreach (var (replyTo, batch, index) in entry.Waiters ?? [])
        {
            Answer(replyTo, batch, index, reply);
        }
    }

    private void Undelivered(RequestUndelivered undelivered)
    {
        // Believed only with the request's token: anyone else could cut other callers' requests short.
        if (undelivered.RequestId is null || !_inFlight.TryGetValue(undelivered.RequestId, out var entry) ||
            entry.Routed.Token != undelivered.Token)
        {
            return;
        }

        _inFlight.Remove(undelivered.RequestId);
        entry.Route.InFlight--;
        _telemetry.SetInFlight(_inFlight.Count + _overdue.Count);
        Refused(entry.Type, ErrorCode.Unavailable);
        AnswerAll(entry, new ErrorReply(undelivered.RequestId, ErrorCode.Unavailable,
            $"{entry.Route.Name} could not be reached ({undelivered.Reason}); it was not processed there, retry later",
            // Its node is unreachable, leaving or recovering: a retry within milliseconds would meet the same.
            UndeliveredRetryAfter > RetryAfter(entry.Route) ? UndeliveredRetryAfter : RetryAfter(entry.Route)));
        CheckDrained();
    }

    private void StartDraining(DrainGateway drain)
    {
        _log.Info("Gateway draining before the node leaves: {0} requests in flight", _inFlight.Count);
        _draining = true;
        _drainWaiter = (Sender, Environment.TickCount64 + (long)drain.Within.TotalMilliseconds);
        CheckDrained();
    }

    private void CheckDrained()
    {
        if (_drainWaiter is not { } waiter || (_inFlight.Count > 0 && Environment.TickCount64 < waiter.Until))
        {
            return;
        }

        waiter.ReplyTo.Tell(new Drained(_inFlight.Count));
        _drainWaiter = null;
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        // Stopping (or restarting) with these still running: each caller still gets its one answer,
        // and the routes, which outlive this instance, get their slots back.
        foreach (var (id, entry) in _inFlight)
        {
            entry.Route.InFlight--;
            AnswerAll(entry, new ErrorReply(id, ErrorCode.Unavailable,
                $"the node stopped before {entry.Route.Name} answered; the request may or may not have been applied"));
        }

        foreach (var (route, _, _) in _overdue.Values)
        {
            route.InFlight--;
            route.Overdue--;
        }

        _inFlight.Clear();
        _overdue.Clear();
        SendPartialBatches();
    }

    private static readonly string[] OutcomeNames =
        Enum.GetValues<ErrorCode>().Select(c => c.ToString()).Prepend("ok").ToArray();

    private static string Outcome(IReply reply) => reply is ErrorReply e && (int)e.Code < OutcomeNames.Length
        ? OutcomeNames[(int)e.Code]
        : "ok";

    /// <summary>Counts a request answered without being admitted.</summary>
    private static void Refused(Type type, ErrorCode code) =>
        ActorsMetrics.Requests.Add(1, new KeyValuePair<string, object?>("type", type.Name),
            new KeyValuePair<string, object?>("outcome", OutcomeNames[(int)code]));

    /// <summary>
    /// Sends a reply to its asker, or files it in its batch: that goes out when complete, and a
    /// batch answered as completed also sends what it has every partial-reply-after, so one slow
    /// item does not hold up the others.
    /// </summary>
    private void Answer(IActorRef replyTo, Batch? batch, int index, IReply reply)
    {
        if (batch is null)
        {
            replyTo.Tell(reply);
        }
        else if (batch.Answer(index, reply) && _partialBatches.Add(batch) && _partialBatches.Count == 1)
        {
            Timers.StartSingleTimer(nameof(FlushPartialBatches), FlushPartialBatches.Instance, _limits.PartialReplyAfter);
        }
    }

    private void SendPartialBatches()
    {
        foreach (var batch in _partialBatches)
        {
            batch.SendReady();
        }

        _partialBatches.Clear();
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        var deadline = (long)_admission.RequestDeadline.TotalMilliseconds;
        if (_overdue.Count > 0)
        {
            // Ten deadlines without a reply: the work is taken as lost and its slot given back.
            foreach (var (id, (route, _, expired)) in _overdue.Where(o => now - o.Value.Expired > 10 * deadline).ToList())
            {
                _overdue.Remove(id);
                route.InFlight--;
                route.Overdue--;
            }
        }

        // The wall clock the lanes and entities read too: once answered Timeout here, a request is not run there.
        var utcNow = DateTime.UtcNow;
        List<string>? overdue = null;
        foreach (var (id, entry) in _inFlight)
        {
            if (entry.Routed.Deadline <= utcNow)
            {
                (overdue ??= []).Add(id);
            }
        }

        if (overdue is null)
        {
            return;
        }

        _log.Warning("{0} requests got no reply by their deadline (at most {1}); answered Timeout", overdue.Count, _admission.RequestDeadline);
        foreach (var id in overdue)
        {
            _inFlight.Remove(id, out var entry);
            _overdue[id] = (entry!.Route, entry.Routed.Token, now);
            entry.Route.Overdue++;
            // No reply by the deadline is the strongest sign of a queue: the limit hears it as a sample.
            entry.Route.Limit.Completed(now - entry.Started, now);
            _telemetry.SetInFlight(_inFlight.Count + _overdue.Count);
            Refused(entry.Type, ErrorCode.Timeout);
            AnswerAll(entry, new ErrorReply(id, ErrorCode.Timeout,
                $"{entry.Route.Name} did not answer within {entry.Within.TotalSeconds:0.#} s"));
        }
    }

    private static TimeSpan RetryAfter(Route route) => route.Limit.RetryAfter;

    private GatewayStats Stats(int windowSeconds)
    {
        var (count, p99) = _latency.Over(windowSeconds, 99, Environment.TickCount64);
        return new GatewayStats(_inFlight.Count + _overdue.Count, _routes.Values.OfType<Route>().Distinct().ToDictionary(r => r.Name, r => r.InFlight),
            _completed, _rejected, count, p99);
    }

    private ErrorReply? Validate(IRequest request)
    {
        // Fields of a record can still arrive null over the wire: check, never assume.
        var id = request.RequestId;
        if (string.IsNullOrEmpty(id) || id.Length > _limits.MaxRequestIdLength)
        {
            return new ErrorReply(id ?? "", ErrorCode.InvalidRequest,
                $"request id must be 1 to {_limits.MaxRequestIdLength} characters");
        }

        if (request is IFailureInjecting { FailRate: not 0.0 } && !_limits.FailureInjection)
        {
            return new ErrorReply(id, ErrorCode.InvalidRequest,
                "FailRate is honoured only on nodes started for tests or benchmarks (actors.limits.failure-injection, node --bench-baselines)");
        }

        if (request is IKeyedRequest keyed)
        {
            var key = keyed.Key;
            if (string.IsNullOrEmpty(key))
            {
                return new ErrorReply(id, ErrorCode.InvalidRequest, "key must not be empty");
            }

            if (key.Length > _limits.MaxKeyLength)
            {
                return new ErrorReply(id, ErrorCode.InvalidRequest,
                    $"key is {key.Length} characters; the limit is {_limits.MaxKeyLength}");
            }
        }

        return null;
    }

    private sealed record InFlight(IActorRef ReplyTo, Route Route, long Started, RoutedRequest Routed, Batch? Batch = null, int Index = 0)
    {
        public Type Type => Routed.Request.GetType();

        /// <summary>The membership epoch when it was last sent.</summary>
        public long Epoch { get; set; }

        /// <summary>How long it had: request-deadline, or less if its caller waits less (its deadline is in <see cref="Routed"/>).</summary>
        public TimeSpan Within { get; init; }

        /// <summary>When it was last sent (Environment.TickCount64).</summary>
        public long SentAt { get; set; }

        /// <summary>Askers of retried copies, answered with the same reply.</summary>
        public List<(IActorRef ReplyTo, Batch? Batch, int Index)>? Waiters { get; set; }
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

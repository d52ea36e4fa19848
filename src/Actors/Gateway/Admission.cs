using Actors.Protocol;
using Actors.Serialization;
using Actors.Telemetry;

namespace Actors.Gateway;

/// <summary>
/// Whether the gateway takes a request on: the node-wide rules, the caller's remaining time, the
/// node's and the route's bounds (<see cref="InFlightTable.Admits"/>; over the route's, it may wait
/// for a slot in <see cref="AdmissionQueue"/>), and a client's retry of a request still in flight,
/// which waits for the same answer. Plain logic over the in-flight
/// table: the gateway actor sends what it decides.
/// </summary>
/// <param name="gatewayPath">The gateway's full path, carried by each routed request (see <see cref="RoutedRequest.Gateway"/>).</param>
/// <param name="wire">What can travel between members: a request that cannot is refused here rather than dropped there.</param>
internal sealed class Admission(NodeLimits limits, AdmissionSettings settings, InFlightTable inFlight, string? gatewayPath = null,
    WireShape? wire = null)
{
    private readonly TokenSource _tokens = new();
    private readonly long _resendAfterMs = (long)settings.ResendRetriesAfter.TotalMilliseconds;

    /// <summary>Requests over their route's limit, waiting for a slot (the gateway releases them as slots free).</summary>
    public AdmissionQueue Queue { get; } = new(settings.QueueWait);

    /// <summary>Set once the node leaves: new requests are refused, retryable elsewhere.</summary>
    public bool Draining { get; set; }

    /// <summary>Requests refused Overloaded by a bound since start.</summary>
    public long Rejected { get; private set; }

    /// <summary>Decides for <paramref name="request"/>, whose route is <paramref name="route"/> (null: none registered).</summary>
    /// <param name="traceParent">The trace the routed request carries on (the gateway's span, or the caller's).</param>
    /// <param name="callerTrace">The caller's own trace, kept by a request that waits for a slot.</param>
    public Decision Decide(IRequest request, Route? route, Waiter waiter, TimeSpan within, long now, string? traceParent = null,
        string? callerTrace = null)
    {
        // Null only over the wire, where RequestRules refuses it.
        var id = request.RequestId ?? "";
        var refusal = Draining
            // Leaving the cluster: the request has not been taken on, so the client may send it anywhere.
            ? new ErrorReply(id, ErrorCode.Overloaded, "this node is leaving the cluster; send the request to another member", settings.MinRetryAfter)
            : RequestRules.Check(request, limits) ?? (within <= TimeSpan.Zero
                ? new ErrorReply(id, ErrorCode.Timeout, "its caller had stopped waiting; not run")
                : null);
        if (refusal is null && request is UnreadableRequest unreadable)
        {
            refusal = new ErrorReply(id, ErrorCode.UnknownRequest, $"this node cannot read a {unreadable.TypeName}: its assembly is not " +
                "among the node's contracts (register a handler or entity type for it, or AddContracts(typeof(YourRequest).Assembly))");
        }
        else if (refusal is null && route is null)
        {
            refusal = new ErrorReply(id, ErrorCode.UnknownRequest, $"no handler or entity type is registered for {request.GetType().Name}");
        }

        if (refusal is null && wire?.Refusal(request) is { } cannotTravel)
        {
            refusal = new ErrorReply(id, ErrorCode.InvalidRequest, cannotTravel);
        }

        if (refusal is not null || route is null)
        {
            return new Decision.Refused(refusal!);
        }

        if (request is IIdempotentRequest && inFlight.TryGet(id, out var running) && Equals(running.Routed.Request, request))
        {
            // A client's retry of the very request still in flight here: both askers get its one
            // reply. It is sent again only if a member became unreachable or left since it was sent
            // (its copy may have been lost with that node), or it has been out for resend-retries-after
            // (a shard region drops what it buffered during a hand-off, and a drop seen on another
            // node cannot be traced back here): the entity recognises a repeated id within its
            // request window, but each copy costs a journal read-and-check, so none without cause.
            // Before the limits: a retry takes no new slot, and refusing it would leave a copy a
            // hand-off dropped holding its slot until its deadline (a rolling restart, measured).
            if (running.Joined?.Count >= settings.MaxJoinedRetries)
            {
                // A client makes a few retries per call; past that, a peer repeating one id would
                // grow the list without bound. Retrying later is safe: the request is idempotent.
                Rejected++;
                ActorsMetrics.Rejections.Add(1, new KeyValuePair<string, object?>("bound", "joined retries"));
                return new Decision.Refused(new ErrorReply(id, ErrorCode.Overloaded, $"{running.Joined.Count} retries of this request " +
                    $"already wait for its copy in flight here (at most {settings.MaxJoinedRetries})", running.Route.Limit.RetryAfter));
            }

            (running.Joined ??= []).Add(waiter);
            if (!inFlight.ShouldResend(running, now, _resendAfterMs))
            {
                return Decision.Joined.Instance;
            }

            inFlight.Resent(running, now);
            return new Decision.Send(running.Route, running.Routed);
        }

        var nodeFull = inFlight.Count + Queue.Count >= settings.MaxInFlight;
        if (nodeFull || !inFlight.Admits(route, now))
        {
            if (!nodeFull && Queue.TryQueue(new Queued(request, waiter, within, callerTrace, route, now)))
            {
                return Decision.Waiting.Instance;
            }

            return new Decision.Refused(Overloaded(route, id, now, nodeFull
                ? $"node has {inFlight.Count + Queue.Count} requests in flight or waiting (limit {settings.MaxInFlight})"
                : $"{route.Name} has {route.Working} requests in flight (limit now {route.Limit.Current}, at most {route.Limit.Max})",
                nodeFull ? "node" : route.Name));
        }

        // An idempotent retry after this gateway answered Timeout starts afresh (the overdue copy keeps its slot).
        var routed = new RoutedRequest(_tokens.Next(), request, DateTime.UtcNow + within, gatewayPath, traceParent);
        return inFlight.TryAdd(route, routed, waiter, within, now)
            ? new Decision.Send(route, routed)
            : new Decision.Refused(new ErrorReply(id, ErrorCode.InvalidRequest,
                "a request with this id is already in flight on this node; request ids must be unique"), Counted: false);
    }

    /// <summary>The answer to a request that waited the whole queue-wait without a slot.</summary>
    public ErrorReply WaitedTooLong(Queued queued, long now) => Overloaded(queued.Route, queued.Request.RequestId ?? "", now,
        $"{queued.Route.Name} had no free slot within {Queue.MaxWait.TotalMilliseconds:F0} ms " +
        $"(limit now {queued.Route.Limit.Current}, at most {queued.Route.Limit.Max})", queued.Route.Name);

    private ErrorReply Overloaded(Route route, string id, long now, string message, string bound)
    {
        Rejected++;
        route.Limit.Refused(now);
        ActorsMetrics.Rejections.Add(1, new KeyValuePair<string, object?>("bound", bound));
        return new ErrorReply(id, ErrorCode.Overloaded, message, route.Limit.RetryAfter);
    }

    /// <summary>What the gateway does with a request.</summary>
    public abstract record Decision
    {
        /// <summary>Answer it with <paramref name="Reply"/> now (counted by outcome unless it repeats an id in flight).</summary>
        public sealed record Refused(ErrorReply Reply, bool Counted = true) : Decision;

        /// <summary>Send <paramref name="Routed"/> to its route (new, or a copy of one in flight sent again).</summary>
        public sealed record Send(Route Route, RoutedRequest Routed) : Decision;

        /// <summary>Over its route's limit, it waits in <see cref="Queue"/> for a slot.</summary>
        public sealed record Waiting : Decision
        {
            public static readonly Waiting Instance = new();
        }

        /// <summary>A retry that waits for the answer of the copy in flight.</summary>
        public sealed record Joined : Decision
        {
            public static readonly Joined Instance = new();
        }
    }
}

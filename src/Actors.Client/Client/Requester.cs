using Actors.Protocol;
using Akka.Actor;

namespace Actors.Client;

/// <summary>How the client groups small requests into one message.</summary>
internal sealed record BatchSettings(int MaxSize, TimeSpan Linger, int Pipeline = 2)
{
    public bool Enabled => MaxSize > 1;
}

/// <summary>
/// The client's long-lived sender: keeps the pending requests by id, completes each with its
/// reply, and answers Timeout for those past their deadline. With batching on it pipelines:
/// requests gather per gateway endpoint (<see cref="EndpointQueues{T}"/>); while fewer than
/// <see cref="BatchSettings.Pipeline"/> of its messages to an endpoint await replies, a request goes
/// at once (with whatever else is queued for it); beyond that, requests gather until a reply comes
/// (at most the linger time, or max-size of them) and go as one <see cref="RequestBatch"/>. Batch
/// size follows the load, with no timer wait for a quiet client. Only this actor touches its tables.
/// </summary>
internal sealed class Requester : ReceiveActor, IWithTimers
{
    private readonly IActorRef _target;
    private GatewayRoutes<IActorRef> _routes = GatewayRoutes<IActorRef>.None;
    private readonly bool _remote;
    private readonly BatchSettings _batching;
    private readonly string _batchPrefix;
    private readonly Dictionary<string, Outgoing> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string[] Items, long Deadline, IActorRef To)> _batches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _singles = new(StringComparer.Ordinal);
    private readonly EndpointQueues<IActorRef> _queues;
    private long _batchSequence;

    /// <param name="remote">
    /// The target is the client's gateway link: each message goes with its caller's remaining time
    /// (<see cref="TimedRequest"/>) to the live gateway endpoint it routes to (its key's home, or by
    /// its id; to the link while none is known), and each Overloaded reply is told to the link (a node may be leaving).
    /// </param>
    public Requester(IActorRef target, TimeSpan sweepInterval, BatchSettings batching, string batchPrefix, bool remote)
    {
        _target = target;
        _remote = remote;
        _batching = batching;
        _batchPrefix = batchPrefix;
        _queues = new EndpointQueues<IActorRef>(batching.MaxSize, batching.Pipeline);
        Receive<Outgoing>(Send);
        Receive<GatewayRoutes<IActorRef>>(routes => _routes = routes);
        Receive<BatchReply>(CompleteBatch);
        Receive<IReply>(Complete);
        Receive<Flush>(flush => FlushEndpoint(flush.To));
        Receive<Sweep>(_ => ExpireOverdue());
        Timers!.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, sweepInterval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Send(Outgoing outgoing)
    {
        var id = outgoing.Request.RequestId;
        if (string.IsNullOrEmpty(id))
        {
            outgoing.Finish(new ErrorReply(id ?? "", ErrorCode.InvalidRequest, "request id must not be empty"));
            return;
        }

        if (!_pending.TryAdd(id, outgoing))
        {
            // Duplicates are caught here when they land on the same requester, and by the node's gateway otherwise.
            outgoing.Finish(new ErrorReply(id, ErrorCode.InvalidRequest,
                "a request with this id is already in flight from this client"));
            return;
        }

        if (!_batching.Enabled || outgoing.Request is RequestBatch)
        {
            Target(outgoing.Request).Tell(Timed(outgoing.Request, outgoing.CallDeadline, outgoing.TraceParent is { } one ? [one] : null), Self);
            return;
        }

        var to = Target(outgoing.Request);
        switch (_queues.Add(to, outgoing.Request))
        {
            case Gathered.SendNow:
                FlushEndpoint(to);
                break;
            case Gathered.SendSoon:
                // Room in the pipeline: send now, together with whatever is already queued in this
                // mailbox (the flush queues behind it). A quiet client never waits.
                Self.Tell(new Flush(to));
                break;
            case Gathered.Linger:
                // The pipeline is full: requests gather until a reply frees it (see Replied), for
                // at most the linger time, so a lost reply cannot hold them.
                Timers.StartSingleTimer(new Flush(to), new Flush(to), _batching.Linger);
                break;
        }
    }

    /// <summary>A message to <paramref name="endpoint"/> was answered: what gathered for it meanwhile goes now.</summary>
    private void Replied(IActorRef endpoint)
    {
        _queues.Answered(endpoint);
        if (_queues.Ready(endpoint))
        {
            FlushEndpoint(endpoint);
        }
    }

    private IActorRef Target(IRequest request) => _routes.For(request) ?? _target;

    private void FlushEndpoint(IActorRef endpoint)
    {
        Timers.Cancel(new Flush(endpoint));
        var items = _queues.Take(endpoint);
        if (items.Count == 0)
        {
            return;
        }

        if (_routes.Count < 2)
        {
            SendTo(Target(items[0]), items);
            return;
        }

        // Routed again as they go, in case the endpoints changed while they gathered (a retried
        // copy meets its first): one message per endpoint, almost always this one.
        foreach (var group in items.GroupBy(Target))
        {
            SendTo(group.Key, group.ToList());
        }
    }

    private void SendTo(IActorRef target, List<IRequest> items)
    {
        _queues.Sent(target);
        if (items.Count == 1)
        {
            _singles[items[0].RequestId] = target;
            var single = _pending.GetValueOrDefault(items[0].RequestId);
            target.Tell(Timed(items[0], single?.CallDeadline ?? 0, single?.TraceParent is { } parent ? [parent] : null), Self);
            return;
        }

        var batchId = $"{_batchPrefix}-{++_batchSequence}";
        var deadline = items.Max(i => _pending.TryGetValue(i.RequestId, out var o) ? o.Deadline : 0);
        _batches[batchId] = (items.Select(i => i.RequestId).ToArray(), deadline, target);
        var callDeadline = items.Max(i => _pending.TryGetValue(i.RequestId, out var o) ? o.CallDeadline : 0);
        // Each item's trace goes with it, in item order ("" for an untraced one); none when nothing is traced.
        var traces = items.Select(i => _pending.GetValueOrDefault(i.RequestId)?.TraceParent ?? "").ToArray();
        target.Tell(Timed(new RequestBatch(batchId, items.ToArray(), AnswerAsCompleted: true), callDeadline,
            traces.Any(t => t.Length > 0) ? traces : null), Self);
    }

    // A batch goes with the longest wait among its callers: no item's work is dropped while its caller still waits.
    // In process, only a traced request needs the envelope (for its trace).
    private object Timed(IRequest request, long callDeadline, string[]? traceParents) => _remote || traceParents is not null
        ? new TimedRequest(request, TimeSpan.FromMilliseconds(Math.Max(0, callDeadline - Environment.TickCount64)), traceParents)
        : request;

    private void CompleteBatch(BatchReply reply)
    {
        // A batch the caller built itself is pending under its own id; one this requester built is
        // not. A batch leaves the pipeline with its first partial reply; later parts free nothing.
        var answered = _batches.Remove(reply.RequestId, out var batch);
        if (!answered && _pending.Remove(reply.RequestId, out var own))
        {
            own.Finish(reply);
            return;
        }

        foreach (var item in reply.Items ?? [])
        {
            if (item is not null)
            {
                Complete(item);
            }
        }

        if (answered)
        {
            Replied(batch.To);
        }
    }

    private void Complete(IReply reply)
    {
        if (reply.RequestId is not { } id)
        {
            return;
        }

        if (_remote && reply is ErrorReply { Code: ErrorCode.Overloaded })
        {
            _target.Tell(GatewayLink.Refused.Instance);
        }

        // A batch refused whole: every item gets the batch's error under its own id.
        if (reply is ErrorReply batchError && _batches.Remove(id, out var batch))
        {
            foreach (var item in batch.Items)
            {
                Complete(batchError with { RequestId = item });
            }

            Replied(batch.To);
            return;
        }

        // A reply for an id no longer pending arrived after its timeout: the caller has its answer already.
        if (_pending.Remove(id, out var outgoing))
        {
            outgoing.Finish(reply);
        }

        if (_singles.Remove(id, out var single))
        {
            Replied(single);
        }
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        foreach (var batchId in _batches.Where(b => b.Value.Deadline <= now).Select(b => b.Key).ToList())
        {
            _batches.Remove(batchId, out var batch);
            _queues.Answered(batch.To);
        }

        List<string>? expired = null;
        foreach (var (id, outgoing) in _pending)
        {
            if (outgoing.Deadline <= now || outgoing.Completion.Task.IsCompleted)
            {
                (expired ??= []).Add(id);
            }
        }

        foreach (var id in expired ?? [])
        {
            if (_singles.Remove(id, out var single))
            {
                _queues.Answered(single);
            }

            _pending.Remove(id, out var outgoing);
            outgoing!.Finish(new ErrorReply(id, ErrorCode.Timeout,
                "no reply in time; the request may or may not have been carried out"));
        }

        foreach (var ready in _queues.Waiting.Where(_queues.Ready).ToList())
        {
            FlushEndpoint(ready);
        }
    }

    protected override void PostStop()
    {
        Timers.CancelAll();
        _singles.Clear();
        _queues.Clear();
        foreach (var (id, outgoing) in _pending)
        {
            outgoing.Finish(new ErrorReply(id, ErrorCode.Unavailable, "the client was stopped"));
        }

        _pending.Clear();
    }

    /// <param name="Deadline">When this attempt is answered Timeout here (Environment.TickCount64).</param>
    /// <param name="CallDeadline">When the whole call ends, retries included: the node drops the work after it.</param>
    internal sealed record Outgoing(IRequest Request, TaskCompletionSource<IReply> Completion, long Deadline, long CallDeadline)
    {
        /// <summary>The caller's cancellation hook, released with the answer (no continuation per call).</summary>
        public CancellationTokenRegistration Cancellation { get; init; }

        /// <summary>The client span's W3C traceparent, when the call is traced.</summary>
        public string? TraceParent { get; init; }

        public void Finish(IReply reply)
        {
            Completion.TrySetResult(reply);
            Cancellation.Dispose();
        }
    }

    private sealed record Sweep
    {
        public static readonly Sweep Instance = new();
    }

    /// <summary>Send what gathered for an endpoint; also the key of its linger timer.</summary>
    private sealed record Flush(IActorRef To);
}

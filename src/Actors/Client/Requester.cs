using Actors.Protocol;
using Akka.Actor;

namespace Actors.Client;

/// <summary>How the client groups small requests into one message.</summary>
internal sealed record BatchSettings(int MaxSize, TimeSpan Linger)
{
    public bool Enabled => MaxSize > 1;
}

/// <summary>
/// The client's long-lived sender: keeps the pending requests by id, completes each with its
/// reply, and answers Timeout for those past their deadline. With batching on, it sends the
/// requests that queued up while it was busy (or, with a linger, those of the linger time) as
/// one <see cref="RequestBatch"/> of at most max-size. Only this actor touches its tables.
/// </summary>
internal sealed class Requester : ReceiveActor, IWithTimers
{
    private readonly IActorRef _target;
    private readonly Func<IRequest, object> _envelope;
    private readonly BatchSettings _batching;
    private readonly string _batchPrefix;
    private readonly Dictionary<string, Outgoing> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string[] Items, long Deadline)> _batches = new(StringComparer.Ordinal);
    private List<IRequest> _buffer = [];
    private long _batchSequence;

    public Requester(IActorRef target, Func<IRequest, object> envelope, TimeSpan sweepInterval, BatchSettings batching, string batchPrefix)
    {
        _target = target;
        _envelope = envelope;
        _batching = batching;
        _batchPrefix = batchPrefix;
        Receive<Outgoing>(Send);
        Receive<BatchReply>(CompleteBatch);
        Receive<IReply>(Complete);
        Receive<Flush>(_ => FlushBuffer());
        Receive<Sweep>(_ => ExpireOverdue());
        Timers!.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, sweepInterval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Send(Outgoing outgoing)
    {
        var id = outgoing.Request.RequestId;
        if (string.IsNullOrEmpty(id))
        {
            outgoing.Completion.TrySetResult(new ErrorReply(id ?? "", ErrorCode.InvalidRequest, "request id must not be empty"));
            return;
        }

        if (!_pending.TryAdd(id, outgoing))
        {
            // Duplicates are caught here when they land on the same requester, and by the node's gateway otherwise.
            outgoing.Completion.TrySetResult(new ErrorReply(id, ErrorCode.InvalidRequest,
                "a request with this id is already in flight from this client"));
            return;
        }

        if (!_batching.Enabled || outgoing.Request is RequestBatch)
        {
            _target.Tell(_envelope(outgoing.Request), Self);
            return;
        }

        _buffer.Add(outgoing.Request);
        if (_buffer.Count >= _batching.MaxSize)
        {
            FlushBuffer();
        }
        else if (_buffer.Count == 1)
        {
            if (_batching.Linger > TimeSpan.Zero)
            {
                Timers.StartSingleTimer(nameof(Flush), Flush.Instance, _batching.Linger);
            }
            else
            {
                // No linger: the flush queues behind the requests already in this mailbox, so a batch
                // holds exactly what arrived while the previous one was being sent: one request
                // alone when the client is quiet, large batches under load, no added wait.
                Self.Tell(Flush.Instance);
            }
        }
    }

    private void FlushBuffer()
    {
        Timers.Cancel(nameof(Flush));
        if (_buffer.Count == 0)
        {
            return;
        }

        var items = _buffer;
        _buffer = new List<IRequest>(_batching.MaxSize);
        if (items.Count == 1)
        {
            _target.Tell(_envelope(items[0]), Self);
            return;
        }

        var batchId = $"{_batchPrefix}-{++_batchSequence}";
        var deadline = items.Max(i => _pending.TryGetValue(i.RequestId, out var o) ? o.Deadline : 0);
        _batches[batchId] = (items.Select(i => i.RequestId).ToArray(), deadline);
        _target.Tell(_envelope(new RequestBatch(batchId, items.ToArray())), Self);
    }

    private void CompleteBatch(BatchReply reply)
    {
        // A batch the caller built itself is pending under its own id; one this requester built is not.
        if (!_batches.Remove(reply.RequestId) && _pending.Remove(reply.RequestId, out var own))
        {
            own.Completion.TrySetResult(reply);
            return;
        }

        foreach (var item in reply.Items ?? [])
        {
            if (item is not null)
            {
                Complete(item);
            }
        }
    }

    private void Complete(IReply reply)
    {
        if (reply.RequestId is not { } id)
        {
            return;
        }

        // A batch refused whole: every item gets the batch's error under its own id.
        if (reply is ErrorReply batchError && _batches.Remove(id, out var batch))
        {
            foreach (var item in batch.Items)
            {
                Complete(batchError with { RequestId = item });
            }

            return;
        }

        // A reply for an id no longer pending arrived after its timeout: the caller has its answer already.
        if (_pending.Remove(id, out var outgoing))
        {
            outgoing.Completion.TrySetResult(reply);
        }
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        foreach (var batchId in _batches.Where(b => b.Value.Deadline <= now).Select(b => b.Key).ToList())
        {
            _batches.Remove(batchId);
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
            _pending.Remove(id, out var outgoing);
            outgoing!.Completion.TrySetResult(new ErrorReply(id, ErrorCode.Timeout,
                "no reply in time; the request may or may not have been carried out"));
        }
    }

    protected override void PostStop()
    {
        Timers.CancelAll();
        foreach (var (id, outgoing) in _pending)
        {
            outgoing.Completion.TrySetResult(new ErrorReply(id, ErrorCode.Unavailable, "the client was stopped"));
        }

        _pending.Clear();
    }

    internal sealed record Outgoing(IRequest Request, TaskCompletionSource<IReply> Completion, long Deadline);

    private sealed record Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed record Flush
    {
        public static readonly Flush Instance = new();
    }
}

using Actors.Protocol;
using Akka.Actor;

namespace Actors.Client;

/// <summary>
/// The client's long-lived sender: keeps the pending requests by id, completes each with its
/// reply, and answers Timeout for those past their deadline. Only this actor touches the table.
/// </summary>
internal sealed class Requester : ReceiveActor, IWithTimers
{
    private readonly IActorRef _target;
    private readonly Func<IRequest, object> _envelope;
    private readonly Dictionary<string, Outgoing> _pending = new(StringComparer.Ordinal);

    public Requester(IActorRef target, Func<IRequest, object> envelope, TimeSpan sweepInterval)
    {
        _target = target;
        _envelope = envelope;
        Receive<Outgoing>(Send);
        Receive<IReply>(Complete);
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

        _target.Tell(_envelope(outgoing.Request), Self);
    }

    private void Complete(IReply reply)
    {
        // A reply for an id no longer pending arrived after its timeout: the caller has its answer already.
        if (reply.RequestId is { } id && _pending.Remove(id, out var outgoing))
        {
            outgoing.Completion.TrySetResult(reply);
        }
    }

    private void ExpireOverdue()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var now = Environment.TickCount64;
        List<string>? expired = null;
        foreach (var (id, outgoing) in _pending)
        {
            if (outgoing.Deadline <= now || outgoing.Completion.Task.IsCompleted)
            {
                (expired ??= []).Add(id);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var id in expired)
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
}

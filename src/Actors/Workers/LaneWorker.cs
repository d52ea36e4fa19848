using Actors.Gateway;
using Actors.Protocol;
using Actors.Serialization;
using Actors.Telemetry;
using Akka.Actor;
using Akka.Event;

namespace Actors.Workers;

/// <summary>
/// One worker of a lane. It owns one instance of each of its lane's handlers, created when it
/// starts and disposed when it stops, so a handler may hold a resource. It runs up to
/// <see cref="LaneSettings.ConcurrencyPerWorker"/> requests at once (1 on the cpu lane; many on
/// the io lane, where handlers await without holding a thread); further requests wait in its
/// stash, bounded by the gateway's admission control.
/// </summary>
/// <remarks>
/// A handler that throws: its request is answered <see cref="ErrorCode.HandlerFailed"/> with the
/// exception's message, the worker stops taking new requests, lets the ones already running
/// finish, disposes its handler instances and makes fresh ones, after a back-off when failures
/// repeat. An Akka restart would do the same for a one-at-a-time worker, but would cancel and
/// dispose under the feet of the other requests a concurrent worker is running.
/// </remarks>
public sealed class LaneWorker : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LaneSettings _lane;
    private readonly string _spanName;
    private readonly RestartHistory _history;
    private readonly NodeTelemetry _telemetry;
    private readonly string _name;
    private readonly HandlerInstances _handlers;
    private readonly RunningRequests _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly WireShape _wire = WireShape.Of(Context.System);
    private int _stashed;

    public LaneWorker(LaneSettings lane, IReadOnlyList<HandlerRegistration> registrations, ActorSystem system,
        IServiceProvider? services, RestartHistory history, NodeTelemetry telemetry)
    {
        _telemetry = telemetry;
        _lane = lane;
        _spanName = $"actors.lane {lane.Name}";
        _handlers = new HandlerInstances(registrations, system, services, _log);
        _history = history;
        _name = Self.Path.Name;
        WithoutHandlers(_ => StashRequest());
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(LaneSettings lane, IReadOnlyList<HandlerRegistration> handlers, ActorSystem system,
        IServiceProvider? services, RestartHistory history, NodeTelemetry telemetry) =>
        Akka.Actor.Props.Create(() => new LaneWorker(lane, handlers, system, services, history, telemetry));

    protected override void PreStart()
    {
        StartHandlers();
        Timers.StartPeriodicTimer(nameof(CheckHung), CheckHung.Instance, _lane.AbandonAfter / 2);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _handlers.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Makes the handler instances now, or after the back-off its recent failures call for.</summary>
    private void StartHandlers()
    {
        var wait = RestartHistory.Backoff(_history.Failures(_name), _lane.MinBackoff, _lane.MaxBackoff, _lane.BackoffAfter);
        if (wait <= TimeSpan.Zero)
        {
            CreateHandlers();
            return;
        }

        _log.Info("Lane {0} worker {1} waits {2} before replacing its handlers", _lane.Name, _name, wait);
        var until = DateTime.UtcNow + wait;
        Become(() => WithoutHandlers(routed => Caller.Of(routed, Sender).Answer(
            LaneErrors.BackingOff(routed.Request, _lane.Name, until - DateTime.UtcNow))));
        Timers.StartSingleTimer(nameof(CreateHandlers), CreateHandlersNow.Instance, wait);
    }

    private void CreateHandlers()
    {
        try
        {
            _handlers.Create();
            Become(Serving);
        }
        catch (Exception e)
        {
            // A resource that cannot be opened: answer Unavailable (no queueing behind a broken
            // worker), including what waited for these handlers, and try again with back-off.
            _history.Failed(_name);
            var retry = RestartHistory.Backoff(Math.Max(2, _history.Failures(_name)), _lane.MinBackoff, _lane.MaxBackoff);
            _log.Warning("Lane {0} worker {1} could not create its handlers ({2}); retrying in {3}", _lane.Name, _name, e.Message, retry);
            Become(() => WithoutHandlers(routed => Caller.Of(routed, Sender).Answer(LaneErrors.Broken(routed.Request, _lane.Name, e.Message))));
            Timers.StartSingleTimer(nameof(CreateHandlers), CreateHandlersNow.Instance, retry);
        }

        _stashed = 0;
        Stash.UnstashAll();
    }

    /// <summary>Waiting for handlers (the first ones, or after a back-off, or after they could not be made).</summary>
    private void WithoutHandlers(Action<RoutedRequest> onRequest)
    {
        Receive(onRequest);
        Receive<CreateHandlersNow>(_ => CreateHandlers());
        Receive<Completed>(Finish);
        Receive<CheckHung>(_ => { });
    }

    private void Serving()
    {
        Receive<RoutedRequest>(Run);
        Receive<Completed>(completed =>
        {
            Finish(completed);
            if (_stashed > 0 && _running.Count < _lane.ConcurrencyPerWorker)
            {
                _stashed--;
                Stash.Unstash();
            }
        });
        Receive<CheckHung>(_ => AbandonHung());
    }

    /// <summary>After a failure: take nothing new, let the running requests finish, then replace the handlers.</summary>
    private void Draining()
    {
        Receive<RoutedRequest>(_ => StashRequest());
        Receive<Completed>(completed =>
        {
            Finish(completed);
            ReplaceWhenIdle();
        });
        Receive<CheckHung>(_ => AbandonHung());
    }

    private void StashRequest()
    {
        _stashed++;
        Stash.Stash();
    }

    private void Run(RoutedRequest routed)
    {
        if (_running.Count >= _lane.ConcurrencyPerWorker)
        {
            StashRequest();
            return;
        }

        var request = routed.Request;
        var replyTo = Caller.Handling(routed, Sender, _spanName, Context.System);
        var expired = routed.Expired;
        if (expired || !_handlers.TryGet(request.GetType(), out var handler))
        {
            replyTo.Answer(expired ? LaneErrors.PastDeadline(request) : LaneErrors.NoHandler(request, _lane.Name));
            return;
        }

        // Cancelled at the request's deadline (its caller has had Timeout by then) or when the worker stops.
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var left = routed.Deadline - DateTime.UtcNow;
        cancel.CancelAfter(left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1));
        var call = HandlerCall.Start(handler.Registration, handler.Instance, request, cancel.Token);
        if (call.Pending is not { } pending)
        {
            Conclude(replyTo, request, handler.Registration, call.Reply, call.Error, cancel);
            return;
        }

        var run = _running.Start(routed.Deadline, cancel, request.RequestId);
        pending.PipeTo(Self,
            success: reply => new Completed(replyTo, request, handler.Registration, reply, null, run),
            failure: e => new Completed(replyTo, request, handler.Registration, null, e, run));
    }

    /// <summary>
    /// Where a handler's result becomes its caller's answer: the reply; Timeout if the handler
    /// gave up at the request's deadline (it has not failed: the caller has had Timeout from the
    /// gateway, this answer only gives the slot back); otherwise HandlerFailed, and the handlers
    /// are replaced.
    /// </summary>
    private void Conclude(Caller replyTo, IRequest request, HandlerRegistration registration, IReply? reply, Exception? error,
        CancellationTokenSource cancel)
    {
        var cancelledAtDeadline = error?.GetBaseException() is OperationCanceledException && cancel.IsCancellationRequested &&
                                  !_stopping.IsCancellationRequested;
        cancel.Dispose();
        if (reply is not null)
        {
            // A reply the wire would drop on its way is a mistake in the handler's types, not a
            // failure of this worker: its caller hears why, the handlers stay.
            _history.Succeeded(_name);
            replyTo.Answer(_wire.Refusal(reply) is { } cannotTravel
                ? new ErrorReply(request.RequestId, ErrorCode.HandlerFailed, $"{registration.Name}: {cannotTravel}")
                : reply);
            return;
        }

        if (cancelledAtDeadline)
        {
            replyTo.Answer(LaneErrors.CancelledAtDeadline(request));
            return;
        }

        error ??= new InvalidOperationException("the handler returned no reply");
        replyTo.Answer(LaneErrors.Failed(request, registration, error));
        var cause = LaneErrors.Cause(error);
        _log.Warning("Handler {0} failed on request {1} ({2}: {3}); lane {4} worker {5} replaces its handlers",
            registration.Name, request.RequestId, cause.GetType().Name, cause.Message, _lane.Name, _name);
        ReplaceHandlers();
    }

    /// <summary>
    /// Requests still running abandon-after past their deadline ignore their cancellation: hung.
    /// They are given up (their late answers still go out), which counts as a failure, so the
    /// worker replaces its handlers once the others finish instead of waiting for ever.
    /// </summary>
    private void AbandonHung()
    {
        var hung = _running.TakeHung(DateTime.UtcNow, _lane.AbandonAfter);
        if (hung.Count > 0)
        {
            _log.Warning("Lane {0} worker {1}: {2} requests (first {3}) still running {4} past their deadline despite cancellation; " +
                         "given up, handlers replaced", _lane.Name, _name, hung.Count, hung[0].RequestId, _lane.AbandonAfter);
            ReplaceHandlers();
        }
    }

    private void Finish(Completed completed)
    {
        if (_running.TryFinish(completed.Run, out var running))
        {
            Conclude(completed.ReplyTo, completed.Request, completed.Registration, completed.Reply, completed.Error, running.Cancel);
            return;
        }

        // Abandoned as hung, or started by the instance before a restart: answer it, nothing else.
        completed.ReplyTo.Answer(completed.Reply ?? LaneErrors.Failed(completed.Request, completed.Registration,
            completed.Error ?? new InvalidOperationException("the handler returned no reply")));
    }

    /// <summary>A failure: counted, then the handlers are replaced once the running requests finish.</summary>
    private void ReplaceHandlers()
    {
        _history.Failed(_name);
        _telemetry.Restarted(_lane.Name);
        Become(Draining);
        ReplaceWhenIdle();
    }

    private void ReplaceWhenIdle()
    {
        if (_running.Count == 0)
        {
            _handlers.Dispose();
            StartHandlers();
        }
    }

    private sealed record Completed(Caller ReplyTo, IRequest Request, HandlerRegistration Registration, IReply? Reply, Exception? Error,
        long Run);

    private sealed record CheckHung
    {
        public static readonly CheckHung Instance = new();
    }

    private sealed record CreateHandlersNow
    {
        public static readonly CreateHandlersNow Instance = new();
    }
}

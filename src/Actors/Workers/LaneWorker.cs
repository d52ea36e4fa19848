using Actors.Handlers;
using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace Actors.Workers;

/// <summary>
/// One worker of a lane. It owns one instance of each of its lane's handlers, created in
/// PreStart and disposed in PostStop, so a restart by supervision brings fresh resources.
/// Runs one request at a time; an async handler suspends the mailbox until it completes.
/// </summary>
public sealed class LaneWorker : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IReadOnlyList<HandlerRegistration> _registrations;
    private readonly ActorSystem _system;
    private readonly IServiceProvider? _services;
    private readonly Dictionary<Type, (HandlerRegistration Registration, object Instance)> _handlers = new();
    private readonly CancellationTokenSource _stopping = new();

    public LaneWorker(IReadOnlyList<HandlerRegistration> registrations, ActorSystem system, IServiceProvider? services)
    {
        _registrations = registrations;
        _system = system;
        _services = services;
        Receive<IRequest>(Handle);
    }

    public static Props Props(IReadOnlyList<HandlerRegistration> handlers, ActorSystem system, IServiceProvider? services) =>
        Akka.Actor.Props.Create(() => new LaneWorker(handlers, system, services));

    protected override void PreStart()
    {
        foreach (var registration in _registrations)
        {
            var settings = _system.Settings.Config.GetConfig($"actors.handlers.{registration.Name}") ?? Config.Empty;
            _handlers[registration.RequestType] = (registration, registration.Factory(new HandlerContext(_system, settings, _services)));
        }
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        foreach (var (_, instance) in _handlers.Values)
        {
            try
            {
                switch (instance)
                {
                    case IAsyncDisposable asyncDisposable:
                        asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
            catch (Exception e)
            {
                _log.Warning(e, "Disposing handler {0} failed", instance.GetType().Name);
            }
        }

        _handlers.Clear();
        _stopping.Dispose();
    }

    private void Handle(IRequest request)
    {
        if (!_handlers.TryGetValue(request.GetType(), out var handler))
        {
            Sender.Tell(new ErrorReply(request.RequestId, ErrorCode.UnknownRequest,
                $"no handler for {request.GetType().Name} on this lane"));
            return;
        }

        var replyTo = Sender;
        ValueTask<IReply> pending;
        try
        {
            pending = handler.Registration.Invoke(handler.Instance, request, _stopping.Token);
        }
        catch (Exception e)
        {
            throw Failed(replyTo, request, handler.Registration, e);
        }

        if (pending.IsCompletedSuccessfully)
        {
            replyTo.Tell(pending.Result);
            return;
        }

        RunTask(async () =>
        {
            IReply reply;
            try
            {
                reply = await pending;
            }
            catch (Exception e)
            {
                throw Failed(replyTo, request, handler.Registration, e);
            }

            replyTo.Tell(reply);
        });
    }

    /// <summary>Answers the request, then fails the worker so supervision restarts it.</summary>
    private static HandlerFailedException Failed(IActorRef replyTo, IRequest request, HandlerRegistration registration, Exception e)
    {
        // The message only: stack traces stay on the node, in its log.
        replyTo.Tell(new ErrorReply(request.RequestId, ErrorCode.HandlerFailed, $"{registration.Name}: {e.Message}"));
        return new HandlerFailedException(registration.Name, request.RequestId, e);
    }
}

/// <summary>A handler threw; its request was answered <see cref="ErrorCode.HandlerFailed"/>.</summary>
public sealed class HandlerFailedException(string handler, string requestId, Exception inner)
    : Exception($"handler '{handler}' failed on request {requestId}: {inner.Message}", inner);

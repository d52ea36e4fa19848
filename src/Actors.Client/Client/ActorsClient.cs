using System.Diagnostics;
using System.Reflection;
using Actors.Hosting;
using Actors.Protocol;
using Actors.Security;
using Actors.Tracing;
using Akka.Actor;
using Akka.Configuration;

namespace Actors.Client;

/// <summary>
/// Sends requests to an Actors cluster from any Akka.NET actor system and awaits their typed
/// replies. Every call completes exactly once: with the node's reply, or with a client-made
/// <see cref="ErrorCode.Timeout"/> when none arrives in time. Requests go to the nodes' gateway
/// endpoints (not their cluster ports), spread over the live ones by request id; a link actor finds
/// them and fails over between them. Replies come straight back and are correlated by request id
/// in a few long-lived actors.
/// </summary>
public sealed partial class ActorsClient : IAsyncDisposable
{
    private static long _clients;
    // Several requesters so no one actor carries every request's bookkeeping; a request goes to one by its number.
    private readonly IActorRef[] _requesters;
    private readonly IActorRef? _link;
    private readonly ActorSystem? _ownedSystem;
    private readonly string _idPrefix;
    private readonly ActorSystem _system;
    private readonly WireCheck _wire;
    private long _sequence;
    private volatile bool _disposed;

    // Set when the client's actor system begins to stop (disposed, or stopped by Akka itself, e.g.
    // when the transport refuses the node's TLS certificate): requesters are going away, so a
    // request from then on is answered here instead of being told to an actor that is gone.
    private volatile bool _stopping;

    private ActorsClient(ActorSystem system, IActorRef? link, IActorRef target, TimeSpan timeout, TimeSpan sweepInterval,
        ActorSystem? ownedSystem)
    {
        var n = Interlocked.Increment(ref _clients);
        _system = system;
        // A gateway in this process is reached without the transport: no frame limit applies.
        _wire = new WireCheck(system, overTransport: link is not null || !target.Path.Address.HasLocalScope);
        _link = link;
        _ownedSystem = ownedSystem;
        DefaultTimeout = timeout;
        _idPrefix = $"{Environment.ProcessId:x}-{n:x}-{Guid.NewGuid().ToString("N")[..8]}";
        var settings = system.Settings.Config.WithFallback(ActorsConfig.Client).GetConfig("actors.client");
        Retry = RetryPolicy.From(settings.GetConfig("retry"));
        var batching = new BatchSettings(settings.RequireInt("batch.max-size"), settings.RequireTimeSpan("batch.linger"),
            Math.Max(1, settings.RequireInt("batch.pipeline")));
        var requesters = settings.RequireInt("requesters");
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "actors-client-stopping", () =>
        {
            _stopping = true;
            return Task.FromResult(Akka.Done.Instance);
        });
        var remote = link is not null;
        _requesters = Enumerable.Range(0, requesters > 0 ? requesters : Environment.ProcessorCount)
            .Select(i => system.ActorOf(Props.Create(() => new Requester(target, sweepInterval, batching, $"{_idPrefix}-b{i}", remote)),
                $"actors-requester-{n}-{i}"))
            .ToArray();
        link?.Tell(new GatewayLink.Connect(_requesters));
    }

    /// <summary>Timeout applied when a call names none (<c>actors.client.request-timeout</c>).</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>When a refused request is sent again (<c>actors.client.retry</c>).</summary>
    public RetryPolicy Retry { get; }

    /// <summary>
    /// HOCON an existing actor system needs to use this client from outside the cluster:
    /// remoting, the client port's serializer (MessagePack) for our messages with their allow-list,
    /// the client's defaults.
    /// Pass the assemblies of your own request and reply types, if any.
    /// </summary>
    public static Config Config(IEnumerable<Assembly>? contracts = null) =>
        Serialization.ProtocolTypes.For((contracts ?? []).Prepend(typeof(IActorsMessage).Assembly).Distinct())
            .WithFallback(ActorsConfig.Client);

    /// <summary>
    /// Starts a client actor system of its own and connects to the nodes' gateway endpoints at
    /// <paramref name="contacts"/> (<c>host:port</c>; the others of the cluster are learned from
    /// the first that answers). Disposing the client terminates that system.
    /// </summary>
    /// <param name="tls">Mutual TLS with the cluster's CA (<c>client.pfx</c>), for nodes started with <c>--tls</c>.</param>
    public static ActorsClient Connect(IEnumerable<string> contacts, Config? extraConfig = null,
        IEnumerable<Assembly>? contracts = null, TlsSettings? tls = null)
    {
        var system = CreateSystem("actors-client", (extraConfig ?? Akka.Configuration.Config.Empty).WithFallback(Config(contracts)), tls);
        return Create(system, contacts, owned: true);
    }

    /// <summary>An actor system with <paramref name="config"/>, on mutual TLS when <paramref name="tls"/> is given.</summary>
    public static ActorSystem CreateSystem(string name, Config config, TlsSettings? tls)
    {
        if (tls is null)
        {
            return ActorSystem.Create(name, config);
        }

        config = TlsSettings.Hocon.WithFallback(config);
        return ActorSystem.Create(name, BootstrapSetup.Create().WithConfig(config)
            // A client talks to nodes only: a peer with a client certificate is not one.
            .And(tls.Setup(config.WithFallback(ActorsConfig.Wire).GetTimeSpan("actors.log.offence-interval"), Certificates.MemberUnit)));
    }

    /// <summary>Connects an existing actor system (configured with <see cref="Config"/>) to the nodes' gateway endpoints.</summary>
    public static ActorsClient Create(ActorSystem system, IEnumerable<string> contacts) => Create(system, contacts, owned: false);

    /// <summary>For callers inside the cluster: talk to a gateway directly, no receptionist hop.</summary>
    public static ActorsClient ForGateway(ActorSystem system, IActorRef gateway)
    {
        var settings = system.Settings.Config.WithFallback(ActorsConfig.Client);
        return new ActorsClient(system, null, gateway,
            settings.GetTimeSpan("actors.client.request-timeout"), settings.GetTimeSpan("actors.client.timeout-sweep-interval"), null);
    }

    private static ActorsClient Create(ActorSystem system, IEnumerable<string> contacts, bool owned)
    {
        var settings = system.Settings.Config.WithFallback(ActorsConfig.Client);
        var link = LinkSettings.From(settings.GetConfig("actors.client"));
        var scheme = ActorsConfig.Scheme(settings);
        var addresses = contacts
            .Select(HostPort.Parse)
            .Select(c => new Address(scheme, link.SystemName, c.Host, c.Port))
            .ToHashSet();
        if (addresses.Count == 0)
        {
            throw new ArgumentException("at least one contact point (host:port) is needed", nameof(contacts));
        }

        var linkActor = system.ActorOf(GatewayLink.Props(addresses, link, scheme), $"actors-gateway-link-{Interlocked.Read(ref _clients) + 1}");
        return new ActorsClient(system, linkActor, linkActor,
            settings.GetTimeSpan("actors.client.request-timeout"), settings.GetTimeSpan("actors.client.timeout-sweep-interval"),
            owned ? system : null);
    }

    /// <summary>A request id unique to this client; pass it to the request records you build.</summary>
    public string NewRequestId() => $"{_idPrefix}-{Interlocked.Increment(ref _sequence)}";

    /// <summary>
    /// Sends a request and returns its reply: a result record or an <see cref="ErrorReply"/>.
    /// Refusals that are safe to retry (see <see cref="RetryPolicy"/>) are sent again with
    /// back-off inside <paramref name="timeout"/>. Never throws for a remote error; cancelling
    /// <paramref name="cancellationToken"/> cancels the task.
    /// </summary>
    public Task<IReply> SendAsync(IRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Untraced, the call is its retries alone: no second async frame per request.
        return ActorsTracing.On
            ? SendTracedAsync(request, timeout, cancellationToken)
            : SendWithRetriesAsync(request, timeout, null, cancellationToken);
    }

    private async Task<IReply> SendTracedAsync(IRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // The call's span, under the application's current one; its retries are inside it.
        using var span = ActorsTracing.Source.StartActivity($"actors.call {request.GetType().Name}", ActivityKind.Client);
        span?.SetTag("actors.request_id", request.RequestId);
        var reply = await SendWithRetriesAsync(request, timeout, span?.Id, cancellationToken).ConfigureAwait(false);
        if (span is not null && reply is ErrorReply error)
        {
            span.SetTag("actors.error_code", error.Code.ToString());
            span.SetStatus(ActivityStatusCode.Error, error.Code.ToString());
        }

        return reply;
    }

    private async Task<IReply> SendWithRetriesAsync(IRequest request, TimeSpan? timeout, string? traceParent, CancellationToken cancellationToken)
    {
        var budget = timeout ?? DefaultTimeout;
        var started = Environment.TickCount64;
        for (var attempt = 1; ; attempt++)
        {
            if (_disposed || _stopping)
            {
                return Stopped(request);
            }

            var left = TimeSpan.FromMilliseconds(budget.TotalMilliseconds - (Environment.TickCount64 - started));
            if (Retry.AttemptTimeoutFor(request) is { } attemptTimeout && attemptTimeout < left)
            {
                left = attemptTimeout;
            }

            var reply = await SendOnceAsync(request, left > TimeSpan.Zero ? left : TimeSpan.Zero, started + (long)budget.TotalMilliseconds,
                traceParent, cancellationToken).ConfigureAwait(false);
            if (_disposed || reply is not ErrorReply error || Retry.Delay(request, error, attempt) is not { } delay)
            {
                return reply;
            }

            // Give up when the wait would outlast the call's time: the last refusal is the answer.
            if (Environment.TickCount64 - started + (long)delay.TotalMilliseconds >= (long)budget.TotalMilliseconds)
            {
                return reply;
            }

            await WaitAtLeastAsync(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    // Timers may fire up to a tick early; a retry must never come sooner than the node asked.
    private static async Task WaitAtLeastAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        TimeSpan left;
        while ((left = wait - Stopwatch.GetElapsedTime(start)) > TimeSpan.Zero)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <param name="callDeadline">When the whole call ends (Environment.TickCount64): the node is told, and drops the work after it.</param>
    private Task<IReply> SendOnceAsync(IRequest request, TimeSpan timeout, long callDeadline, string? traceParent,
        CancellationToken cancellationToken)
    {
        if (_wire.Refusal(request) is { } refused)
        {
            return Task.FromResult<IReply>(refused);
        }

        var completion = new TaskCompletionSource<IReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancellation = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<IReply>)state!).TrySetCanceled(token), completion)
            : default;

        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        // The same id always lands on the same requester, which refuses it while it is in flight.
        var slot = (uint)StringComparer.Ordinal.GetHashCode(request.RequestId ?? "") % (uint)_requesters.Length;
        _requesters[slot].Tell(new Requester.Outgoing(request, completion, deadline, callDeadline)
        {
            Cancellation = cancellation,
            TraceParent = traceParent,
        });
        if (_stopping)
        {
            // It may have reached a requester that is stopping (which answers it) or none: either
            // way it is answered once the system is gone.
            _system.WhenTerminated.ContinueWith(_ => completion.TrySetResult(Stopped(request)), TaskScheduler.Default);
        }

        return completion.Task;
    }

    private ErrorReply Stopped(IRequest request) => new(request.RequestId, ErrorCode.Unavailable,
        _disposed ? "the client was disposed"
            : "the client's actor system has stopped (see its log: e.g. a node's TLS certificate it refused); make a new client");

    /// <summary>Sends a request and returns its result; an error reply throws <see cref="ActorsRequestException"/>.</summary>
    public async Task<TReply> AskAsync<TReply>(IRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TReply : IReply
    {
        var reply = await SendAsync(request, timeout, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            TReply typed => typed,
            ErrorReply error => throw new ActorsRequestException(error),
            _ => throw new ActorsRequestException(new ErrorReply(request.RequestId, ErrorCode.HandlerFailed,
                $"expected {typeof(TReply).Name} but the node answered {reply.GetType().Name}")),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await Task.WhenAll(_requesters.Select(r => r.GracefulStop(TimeSpan.FromSeconds(5)))).ConfigureAwait(false);
        _link?.Tell(PoisonPill.Instance);
        if (_ownedSystem is not null)
        {
            await _ownedSystem.Terminate().ConfigureAwait(false);
        }
    }
}

/// <summary>An error reply, thrown by <see cref="ActorsClient.AskAsync{TReply}"/>.</summary>
public sealed class ActorsRequestException(ErrorReply error) : Exception($"{error.Code}: {error.Message}")
{
    public ErrorReply Error { get; } = error;
    public ErrorCode Code => Error.Code;
}

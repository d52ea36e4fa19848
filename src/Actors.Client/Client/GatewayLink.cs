using Actors.Hosting;
using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;

namespace Actors.Client;

/// <summary>How a client finds and keeps a node's gateway endpoint (<c>actors.client.link</c>).</summary>
internal sealed record LinkSettings(string SystemName, string GatewayPath, TimeSpan HeartbeatInterval, TimeSpan AcceptablePause,
    int BufferSize, int MaxContacts)
{
    public static LinkSettings From(Config client) => new(
        client.GetString("cluster-system-name"),
        client.GetString("gateway-path"),
        client.GetTimeSpan("link.heartbeat-interval"),
        client.GetTimeSpan("link.acceptable-heartbeat-pause"),
        client.GetInt("link.buffer-size"),
        client.GetInt("link.max-contacts"));
}

/// <summary>
/// The client's way to the cluster: sends every request to one node's gateway endpoint, found by
/// asking the contacts for <c>/user/gateway</c>. It learns the other members' endpoints from the
/// one it uses (which doubles as the heartbeat), and moves to another when that node says it is
/// leaving, the connection drops, or heartbeats go unanswered. Endpoints run in untrusted mode,
/// so no remote death watch: liveness is the heartbeat. While no endpoint is known, requests wait
/// in a bounded buffer; beyond it they are answered Unavailable.
/// </summary>
internal sealed class GatewayLink : ReceiveActor, IWithTimers
{
    private readonly LinkSettings _settings;
    private readonly string _scheme;
    private readonly HashSet<Address> _contacts;
    private readonly Queue<(IActorsMessage Message, string RequestId, IActorRef Sender)> _waiting = new();
    private IActorRef? _gateway;
    private long _heardAt;
    private long _probedAt;
    // A gateway that said its node is leaving is not chosen again for a while.
    private (Address Address, long Until)? _avoid;

    public GatewayLink(IEnumerable<Address> contacts, LinkSettings settings, string scheme)
    {
        _settings = settings;
        _scheme = scheme;
        _contacts = contacts.ToHashSet();
        Receive<IRequest>(request => Forward(request, request.RequestId));
        Receive<TimedRequest>(timed => Forward(timed, timed.Request.RequestId));
        Receive<ActorIdentity>(Identified);
        Receive<GatewayContacts>(Learn);
        Receive<Refused>(_ => Probe(force: false));
        Receive<Tick>(_ => Heartbeat());
        Receive<Connect>(_ => IdentifyGateways());
        Receive<DisassociatedEvent>(e =>
        {
            if (_gateway?.Path.Address == e.RemoteAddress)
            {
                Lose();
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IEnumerable<Address> contacts, LinkSettings settings, string scheme) =>
        Akka.Actor.Props.Create(() => new GatewayLink(contacts, settings, scheme));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, _settings.HeartbeatInterval);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        while (_waiting.TryDequeue(out var waiting))
        {
            waiting.Sender.Tell(new ErrorReply(waiting.RequestId, ErrorCode.Unavailable, "the client was stopped"));
        }
    }

    private void Forward(IActorsMessage message, string requestId)
    {
        if (_gateway is not null)
        {
            _gateway.Tell(message, Sender);
        }
        else if (_waiting.Count < _settings.BufferSize)
        {
            _waiting.Enqueue((message, requestId, Sender));
        }
        else
        {
            Sender.Tell(new ErrorReply(requestId, ErrorCode.Unavailable,
                $"no gateway endpoint reachable at {string.Join(", ", _contacts.Select(a => $"{a.Host}:{a.Port}"))}"));
        }
    }

    private void Identified(ActorIdentity identity)
    {
        if (_gateway is not null || identity.Subject is not { } gateway || IsAvoided(gateway.Path.Address))
        {
            return;
        }

        _gateway = gateway;
        _heardAt = Environment.TickCount64;
        while (_waiting.TryDequeue(out var waiting))
        {
            gateway.Tell(waiting.Message, waiting.Sender);
        }

        Probe(force: true);
    }

    private void Learn(GatewayContacts contacts)
    {
        if (_gateway is null || Sender.Path.Address != _gateway.Path.Address)
        {
            return;
        }

        _heardAt = Environment.TickCount64;
        foreach (var contact in contacts.Contacts ?? [])
        {
            if (_contacts.Count >= _settings.MaxContacts)
            {
                break;
            }

            if (contact is not null && TryAddress(contact) is { } address)
            {
                _contacts.Add(address);
            }
        }

        if (contacts.Leaving)
        {
            _avoid = (_gateway.Path.Address, Environment.TickCount64 + 2 * (long)_settings.AcceptablePause.TotalMilliseconds);
            Lose();
        }
    }

    private void Heartbeat()
    {
        if (_gateway is null)
        {
            IdentifyGateways();
        }
        else if (Environment.TickCount64 - _heardAt > (long)_settings.AcceptablePause.TotalMilliseconds)
        {
            Lose();
        }
        else
        {
            Probe(force: true);
        }
    }

    // A refusal may mean the node is leaving: ask at once (at most every quarter heartbeat).
    private void Probe(bool force)
    {
        var now = Environment.TickCount64;
        if (_gateway is null || (!force && now - _probedAt < (long)_settings.HeartbeatInterval.TotalMilliseconds / 4))
        {
            return;
        }

        _probedAt = now;
        _gateway.Tell(new GetGatewayContacts());
    }

    private void Lose()
    {
        _gateway = null;
        IdentifyGateways();
    }

    private void IdentifyGateways()
    {
        var candidates = _contacts.Where(a => !IsAvoided(a)).ToList();
        foreach (var address in candidates.Count > 0 ? candidates : _contacts.ToList())
        {
            Context.ActorSelection($"{address}{_settings.GatewayPath}").Tell(new Identify(null));
        }
    }

    private bool IsAvoided(Address address) =>
        _avoid is { } avoid && avoid.Address == address && Environment.TickCount64 < avoid.Until && _contacts.Count > 1;

    private Address? TryAddress(string contact)
    {
        try
        {
            var (host, port) = HostPort.Parse(contact);
            return new Address(_scheme, _settings.SystemName, host, port);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A requester got Overloaded: the node may be leaving, so the link asks at once.</summary>
    internal sealed record Refused
    {
        public static readonly Refused Instance = new();
    }

    /// <summary>
    /// Sent by the client once its requesters exist: a transport that refuses the node's certificate
    /// stops the actor system, which must not happen while the client is still being built.
    /// </summary>
    internal sealed record Connect
    {
        public static readonly Connect Instance = new();
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}

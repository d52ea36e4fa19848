using Actors.Hosting;
using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;

namespace Actors.Client;

/// <summary>How a client finds and keeps the nodes' gateway endpoints (<c>actors.client.link</c>).</summary>
internal sealed record LinkSettings(string SystemName, string GatewayPath, TimeSpan HeartbeatInterval, TimeSpan AcceptablePause,
    int BufferSize, int MaxContacts, int MaxGateways, TimeSpan MaxAskInterval)
{
    public static LinkSettings From(Config client) => new(
        client.GetString("cluster-system-name"),
        client.GetString("gateway-path"),
        client.GetTimeSpan("link.heartbeat-interval"),
        client.GetTimeSpan("link.acceptable-heartbeat-pause"),
        client.GetInt("link.buffer-size"),
        client.GetInt("link.max-contacts"),
        Math.Max(1, client.GetInt("link.max-gateways")),
        client.GetTimeSpan("link.max-ask-interval"));
}

/// <summary>
/// The client's way to the cluster: keeps the gateway endpoints of up to max-gateways members,
/// found by asking the contacts for <c>/user/gateway</c>, and tells the requesters which are live
/// (<see cref="GatewayRoutes{TRef}"/>) and where each entity type's shards live: they send a keyed
/// request to its shard's member, any other by request id, so every member's gateway admits its share. Each live endpoint is probed every heartbeat for the
/// members' endpoints (learning new ones) and whether its node is leaving; one is dropped when it
/// says so, its connection drops, or it leaves heartbeats unanswered. Endpoints run in untrusted
/// mode, so no remote death watch: liveness is the heartbeat. Requests that reach the link itself
/// (none live yet) wait in a bounded buffer; beyond it they are answered Unavailable.
/// </summary>
internal sealed class GatewayLink : ReceiveActor, IWithTimers
{
    // Beyond any sharding setup (Akka suggests ~10 per member): a larger table is ignored.
    private const int MaxShards = 100_000;

    private readonly LinkSettings _settings;
    private readonly string _scheme;
    private readonly HashSet<Address> _given;
    // The endpoints the last report named: a member gone from the cluster is no longer asked for.
    private HashSet<Address> _learned = [];
    private readonly GatewaySet<IActorRef> _gateways;
    private readonly Queue<(IActorsMessage Message, IRequest Request, IActorRef Sender)> _waiting = new();
    // Where each entity type's shards live, from the last report that said (endpoint names per shard).
    private IReadOnlyDictionary<string, string?[]>? _homes;
    private GatewayRoutes<IActorRef> _routes = GatewayRoutes<IActorRef>.None;
    private IReadOnlyList<IActorRef> _requesters = [];
    private long _probedAt;

    public GatewayLink(IEnumerable<Address> contacts, LinkSettings settings, string scheme)
    {
        _settings = settings;
        _scheme = scheme;
        _given = contacts.ToHashSet();
        _gateways = new GatewaySet<IActorRef>(settings.MaxGateways);
        Receive<IRequest>(request => Forward(request, request));
        Receive<TimedRequest>(timed => Forward(timed, timed.Request));
        Receive<ActorIdentity>(Identified);
        Receive<GatewayContacts>(Learn);
        Receive<Refused>(_ => ProbeAll(force: false));
        Receive<Tick>(_ => Heartbeat());
        Receive<Connect>(connect =>
        {
            _requesters = connect.Requesters;
            AskContacts();
        });
        Receive<DisassociatedEvent>(e =>
        {
            if (_gateways.Remove(e.RemoteAddress))
            {
                Changed();
                AskContacts();
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
            waiting.Sender.Tell(new ErrorReply(waiting.Request.RequestId, ErrorCode.Unavailable, "the client was stopped"));
        }
    }

    private void Forward(IActorsMessage message, IRequest? request)
    {
        if (request is null)
        {
            return;
        }

        var requestId = request.RequestId;
        if (_routes.For(request) is { } gateway)
        {
            gateway.Tell(message, Sender);
        }
        else if (_waiting.Count < _settings.BufferSize)
        {
            _waiting.Enqueue((message, request, Sender));
        }
        else
        {
            Sender.Tell(new ErrorReply(requestId, ErrorCode.Unavailable,
                $"no gateway endpoint reachable at {string.Join(", ", _given.Select(a => $"{a.Host}:{a.Port}"))}"));
        }
    }

    private void Identified(ActorIdentity identity)
    {
        if (identity.Subject is not { } gateway || !_gateways.Add(gateway.Path.Address, gateway, Environment.TickCount64))
        {
            return;
        }

        Changed();
        while (_waiting.TryDequeue(out var waiting))
        {
            _routes.For(waiting.Request)!.Tell(waiting.Message, waiting.Sender);
        }

        gateway.Tell(new GetGatewayContacts());
    }

    private void Learn(GatewayContacts contacts)
    {
        var from = Sender.Path.Address;
        if (!_gateways.IsLive(from))
        {
            return;
        }

        _gateways.Heard(from, Environment.TickCount64);
        var named = (contacts.Contacts ?? []).Take(_settings.MaxContacts).Select(c => c is null ? null : TryAddress(c)).ToArray();
        _learned = named.OfType<Address>().ToHashSet();
        if (contacts.Shards is { } shards)
        {
            _homes = ShardHomesFrom(shards, named);
            Changed();
        }

        if (contacts.Leaving)
        {
            _gateways.Avoid(from, Environment.TickCount64 + 2 * (long)_settings.AcceptablePause.TotalMilliseconds);
            Changed();
            AskContacts();
        }
    }

    private void Heartbeat()
    {
        var silent = _gateways.Silent(Environment.TickCount64, (long)_settings.AcceptablePause.TotalMilliseconds);
        foreach (var address in silent)
        {
            _gateways.Remove(address);
        }

        if (silent.Count > 0)
        {
            Changed();
        }

        ProbeAll(force: true);
        AskContacts();
    }

    // A refusal may mean a node is leaving: ask at once (at most every quarter heartbeat).
    private void ProbeAll(bool force)
    {
        var now = Environment.TickCount64;
        if (!force && now - _probedAt < (long)_settings.HeartbeatInterval.TotalMilliseconds / 4)
        {
            return;
        }

        _probedAt = now;
        foreach (var gateway in _gateways.Live)
        {
            gateway.Tell(new GetGatewayContacts());
        }
    }

    // The requesters route by the new set; messages already sent to a dropped endpoint end in their attempt's timeout.
    private void Changed()
    {
        _routes = _gateways.Routes(_homes);
        foreach (var requester in _requesters)
        {
            requester.Tell(_routes);
        }
    }

    private void AskContacts()
    {
        var asked = _gateways.ToAsk(_given.Union(_learned).ToList(), Environment.TickCount64, (long)_settings.HeartbeatInterval.TotalMilliseconds,
            (long)_settings.MaxAskInterval.TotalMilliseconds);
        foreach (var address in asked)
        {
            Context.ActorSelection($"{address}{_settings.GatewayPath}").Tell(new Identify(null));
        }
    }
    // Indices checked against the contacts of the same report; a shard whose home is not among them stays unknown.
    private static Dictionary<string, string?[]> ShardHomesFrom(ShardHomes?[] shards, Address?[] contacts) =>
        shards.OfType<ShardHomes>()
            .Where(s => s.CommandType is not null && s.Homes is { Length: > 0 and <= MaxShards })
            .GroupBy(s => s.CommandType)
            .ToDictionary(g => g.Key, g => g.First().Homes
                .Select(i => i >= 0 && i < contacts.Length ? contacts[i]?.ToString() : null).ToArray());

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

    /// <summary>A requester got Overloaded: a node may be leaving, so the link asks at once.</summary>
    internal sealed record Refused
    {
        public static readonly Refused Instance = new();
    }

    /// <summary>
    /// Sent by the client once its requesters exist (they are told each change of the live endpoints):
    /// a transport that refuses the node's certificate stops the actor system, which must not happen
    /// while the client is still being built.
    /// </summary>
    internal sealed record Connect(IReadOnlyList<IActorRef> Requesters);

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}

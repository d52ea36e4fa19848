using Actors.Protocol;
using Actors.Security;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Actors.Gateway;

/// <summary>
/// The gateway as clients see it: the one actor of a node's client endpoint (a separate actor
/// system that is not a cluster member). It hands requests, already decoded and type-checked by
/// the protocol serializer, to the member system's gateway in process, keeping the caller as
/// sender so replies go straight back through this endpoint. Nothing else a client sends
/// reaches the member system.
/// </summary>
internal sealed class FrontGateway : ReceiveActor
{
    /// <summary>The cluster role by which a member tells others its client endpoint's port.</summary>
    public const string RolePrefix = "actors-gateway:";

    private readonly IActorRef _gateway;
    private readonly Cluster _cluster;
    private readonly OffenceLog _offences;
    private readonly ShardHomesBoard _shards;
    private bool _leaving;

    public FrontGateway(IActorRef gateway, Cluster cluster, TimeSpan offenceInterval, ShardHomesBoard shards)
    {
        _gateway = gateway;
        _cluster = cluster;
        _shards = shards;
        _offences = new OffenceLog(Context.GetLogger(), offenceInterval);
        Receive<IRequest>(request => _gateway.Tell(request, Sender));
        Receive<TimedRequest>(timed => _gateway.Tell(timed, Sender));
        Receive<GetGatewayContacts>(_ => Sender.Tell(Contacts()));
        Receive<Leaving>(_ => _leaving = true);
        ReceiveAny(other => _offences.Report($"a {other.GetType().Name} sent to the gateway endpoint (not a request)", Sender));
    }

    public static Props Props(IActorRef gateway, Cluster cluster, TimeSpan offenceInterval, ShardHomesBoard shards) =>
        Akka.Actor.Props.Create(() => new FrontGateway(gateway, cluster, offenceInterval, shards));

    /// <summary>
    /// The client endpoints of the members that are up (this one left out while it leaves), and
    /// per entity type which of them hosts each shard.
    /// </summary>
    private GatewayContacts Contacts()
    {
        var serving = _cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && !(_leaving && m.Address == _cluster.SelfAddress))
            .SelectMany(m => m.Roles.Where(r => r.StartsWith(RolePrefix, StringComparison.Ordinal))
                .Select(r => (m.Address, Contact: $"{m.Address.Host}:{r[RolePrefix.Length..]}")).Take(1))
            .ToList();
        var index = serving.Select((m, i) => (m.Address, i)).ToDictionary(m => m.Address, m => m.i);
        var shards = _shards.Current
            .Select(t => new ShardHomes(t.CommandType, t.Homes.Select(a => a is not null && index.TryGetValue(a, out var i) ? i : -1).ToArray()))
            .ToArray();
        return new GatewayContacts(serving.Select(m => m.Contact).ToArray(), _leaving, shards.Length > 0 ? shards : null);
    }

    /// <summary>Local only (no serializer accepts it from the wire): the node has begun to leave.</summary>
    public sealed record Leaving
    {
        public static readonly Leaving Instance = new();
    }
}

namespace Actors.Protocol;

/// <summary>
/// Asked of a node's gateway endpoint by a client: where else it may send requests. Clients
/// also use it as their heartbeat to the endpoint they send to.
/// </summary>
public sealed record GetGatewayContacts : IActorsMessage;

/// <summary>
/// The gateway endpoints (<c>host:port</c>) of the members that serve now. <paramref name="Leaving"/>:
/// the answering node is leaving the cluster; send new requests elsewhere. <paramref name="Shards"/>:
/// where each entity type's shards live, so a client sends a key's requests to the endpoint of
/// the member hosting it (null from a node that does not tell).
/// </summary>
public sealed record GatewayContacts(string[] Contacts, bool Leaving, ShardHomes[]? Shards = null) : IActorsMessage;

/// <summary>
/// Where one entity type's shards live: <paramref name="Homes"/>[shard] is the index in
/// <see cref="GatewayContacts.Contacts"/> of the member hosting that shard, -1 when none is known.
/// The shard of a key is <see cref="KeyShard.Of"/>, as the nodes' shard regions compute it.
/// </summary>
/// <param name="CommandType">Full name of the entity type's command interface, which its requests implement.</param>
public sealed record ShardHomes(string CommandType, int[] Homes);

/// <summary>
/// A request (or batch) with how long its caller still waits for the answer. The gateway's
/// deadline for it is the smaller of this and <c>actors.admission.request-deadline</c>; lanes and
/// entities drop it unrun once that passes (the caller has had its answer). Remote clients send
/// every request this way. <paramref name="TraceParents"/>: the W3C traceparent of each traced
/// call (one for a request, one per item of a batch, "" for an untraced item); null when none is traced.
/// </summary>
public sealed record TimedRequest(IRequest Request, TimeSpan Remaining, string[]? TraceParents = null) : IActorsMessage;


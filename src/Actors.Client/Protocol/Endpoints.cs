namespace Actors.Protocol;

/// <summary>
/// Asked of a node's gateway endpoint by a client: where else it may send requests. Clients
/// also use it as their heartbeat to the endpoint they send to.
/// </summary>
public sealed record GetGatewayContacts : IActorsMessage;

/// <summary>
/// The gateway endpoints (<c>host:port</c>) of the members that serve now. <paramref name="Leaving"/>:
/// the answering node is leaving the cluster; send new requests elsewhere.
/// </summary>
public sealed record GatewayContacts(string[] Contacts, bool Leaving) : IActorsMessage;

/// <summary>
/// A request (or batch) with how long its caller still waits for the answer. The gateway's
/// deadline for it is the smaller of this and <c>actors.admission.request-deadline</c>; lanes and
/// entities drop it unrun once that passes (the caller has had its answer). Remote clients send
/// every request this way. <paramref name="TraceParents"/>: the W3C traceparent of each traced
/// call (one for a request, one per item of a batch, "" for an untraced item); null when none is traced.
/// </summary>
public sealed record TimedRequest(IRequest Request, TimeSpan Remaining, string[]? TraceParents = null) : IActorsMessage;


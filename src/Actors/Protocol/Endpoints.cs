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

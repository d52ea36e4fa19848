namespace Actors.Protocol;

/// <summary>Ask any node for the status of every cluster member (the `status` verb).</summary>
public sealed record GetClusterStatus(string RequestId) : IIdempotentRequest;

/// <summary>One line per member, as seen from the node that answered.</summary>
public sealed record ClusterStatus(string RequestId, NodeStatus[] Members) : IReply;

/// <summary>
/// One member: its address and membership status; when it answered (<paramref name="Reachable"/>),
/// its load: requests in flight, answered per second and p99 latency over the last few seconds,
/// refusals and worker restarts since start, shards and live entities per entity type, lanes, and
/// the error answers of the last few seconds by code (Overloaded, Timeout, ...).
/// </summary>
public sealed record NodeStatus(
    string Address,
    string Status,
    string Roles,
    bool Reachable,
    int InFlight,
    double RequestsPerSecond,
    double P99Ms,
    long Rejected,
    long Restarts,
    EntityTypeStatus[] EntityTypes,
    LaneStatus[] Lanes,
    ErrorCount[] RecentErrors) : IActorsMessage;

public sealed record EntityTypeStatus(string Name, int Shards, int LiveEntities);

public sealed record LaneStatus(string Name, int InFlight, int Width);

/// <summary>How many requests were answered with an <see cref="ErrorCode"/> (by its name).</summary>
public sealed record ErrorCount(string Code, long Count);

/// <summary>Node to node: a member's own status, for <see cref="GetClusterStatus"/>.</summary>
public sealed record GetNodeStatus(int WindowSeconds) : IActorsMessage;

using Actors.Protocol;

namespace Actors.Telemetry;

/// <summary>In process (the dashboard): every member's status, its figures over <paramref name="WindowSeconds"/>.</summary>
public sealed record GetClusterView(int WindowSeconds);

/// <summary>Every member as this node sees it, in address order.</summary>
public sealed record ClusterView(NodeStatus[] Members);

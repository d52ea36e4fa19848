using Akka.Actor;

namespace Actors.Gateway;

/// <summary>
/// Where the gateway sends one kind of request (a lane or an entity type), with that
/// destination's own admission limit. Owned and mutated by the gateway only.
/// </summary>
public sealed class Route(string name, IActorRef target, AdmissionLimit limit)
{
    public string Name { get; } = name;

    /// <summary>Set once while wiring the node, before the first request.</summary>
    public IActorRef Target { get; set; } = target;

    /// <summary>How many requests it takes at once (adapting to latency up to its max-in-flight).</summary>
    public AdmissionLimit Limit { get; } = limit;

    /// <summary>Requests admitted and not yet answered here, <see cref="Overdue"/> ones included.</summary>
    public int InFlight { get; set; }

    /// <summary>Answered Timeout at their deadline but maybe still running: they count against max-in-flight only.</summary>
    public int Overdue { get; set; }

    /// <summary>In flight and waiting on the cluster (see <see cref="InFlightTable"/>): they count against max-in-flight only.</summary>
    public int Parked { get; set; }

    /// <summary>What the adaptive limit counts: requests in flight that wait on this node.</summary>
    public int Working => InFlight - Overdue - Parked;

    /// <summary>
    /// Send a client's retry of a request still in flight again when a member became unreachable
    /// or left since it was sent. On for entity types: the first copy may have gone to the node
    /// that died, and entities recognise a repeated request id. Off for lanes: the copy is in this
    /// process, running; the retry just waits for its answer.
    /// </summary>
    public bool ResendRetries { get; init; }
}

using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Persistence;

namespace Actors.Storage;

/// <summary>
/// The journals of an actor system that take an entity's rows straight onto their writer, by the
/// journal actor's ref (what an entity knows of its journal): the entity queues its write itself
/// instead of persisting through Akka.Persistence and a message to the journal actor.
/// </summary>
internal sealed class DirectJournals : IExtension
{
    private readonly ConcurrentDictionary<IActorRef, DirectJournal> _byJournal = new();

    public static DirectJournals Get(ActorSystem system) => system.WithExtension<DirectJournals, DirectJournalsProvider>();

    public DirectJournal? For(IActorRef journal) => _byJournal.TryGetValue(journal, out var direct) ? direct : null;

    // A restarted journal actor keeps its ref and replaces its predecessor's writer.
    public void Register(IActorRef journal, DirectJournal direct) => _byJournal[journal] = direct;

    public void Unregister(IActorRef journal) => _byJournal.TryRemove(journal, out _);
}

/// <summary>Creates <see cref="DirectJournals"/> once per actor system.</summary>
internal sealed class DirectJournalsProvider : ExtensionIdProvider<DirectJournals>
{
    public override DirectJournals CreateExtension(ExtendedActorSystem system) => new();
}

/// <summary>One journal's writer as an entity uses it: its rows as the journal makes them, committed in the writer's groups.</summary>
/// <param name="adapts">Whether an event adapter bound to the journal changes payloads of a type (the entity then persists through Akka).</param>
/// <param name="inFlight">Records a write whose entity stopped before it ended: the journal's next recovery of that id waits for it.</param>
internal sealed class DirectJournal(JournalRows rows, JournalWriter writer, Func<Type, bool> adapts, Action<string, Task> inFlight)
{
    public bool Adapts(Type payload) => adapts(payload);

    /// <summary>
    /// Queues one atomic write, answered through <paramref name="then"/> once its transaction ends;
    /// or, when it cannot be serialized, queues nothing and returns why (nothing is answered).
    /// </summary>
    public (Task? Written, Exception? Rejected) Write(AtomicWrite write, ICommitted then)
    {
        var (written, rejections) = rows.Of([write], DateTime.UtcNow.Ticks);
        return rejections[0] is { } rejected ? (null, rejected) : (writer.Write(written, then), null);
    }

    public void InFlight(string persistenceId, Task written) => inFlight(persistenceId, written);
}

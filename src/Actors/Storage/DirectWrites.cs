using Akka.Actor;
using Akka.Persistence;

namespace Actors.Storage;

/// <summary>
/// A journal's <see cref="WriteMessages"/> handled straight onto <see cref="JournalWriter"/> and
/// answered from its commit, with the replies Akka.Persistence's AsyncWriteJournal would send, in
/// the same order: WriteMessagesSuccessful, then each event's WriteMessageSuccess (or
/// WriteMessageRejected) from its original sender; on a failed transaction WriteMessagesFailed,
/// then each event's WriteMessageFailure. What it leaves out is per write, not per behaviour: an
/// async state machine and a circuit breaker call (a timer), the resequencer actor and a message
/// to it per answer: ~12% of the node's samples profiled on PostgreSQL in process, 8% less node
/// CPU per durable request measured (BENCHMARKS.md, 2026-12-05). A failed transaction fails its
/// writes once tried twice (JournalWriter); the breaker's timeout, which answered a write as
/// failed while it could still commit, is not kept.
/// </summary>
/// <param name="prepare">The journal's own preparation: event adapters, senders left out of what is stored.</param>
/// <param name="adapts">Whether an event adapter bound to the journal changes this payload.</param>
internal sealed class DirectWrites(
    JournalRows rows,
    JournalWriter writer,
    Func<IEnumerable<IPersistentEnvelope>, IEnumerable<AtomicWrite>> prepare,
    Func<object, bool> adapts)
{
    /// <summary>
    /// Queues the message's events; returns their persistence id and a task that ends with their
    /// transaction, or null when nothing was queued (every write rejected, answered already).
    /// </summary>
    public (string PersistenceId, Task Written)? Write(WriteMessages message, IActorRef journal)
    {
        var envelopes = message.Messages as IReadOnlyList<IPersistentEnvelope> ?? message.Messages.ToList();
        List<AtomicWrite> prepared;
        try
        {
            prepared = AsTheyCame(envelopes) ?? prepare(envelopes).ToList();
        }
        catch (Exception e)
        {
            var writes = envelopes.Count(m => m is AtomicWrite);
            new Answer(message, envelopes, journal, Enumerable.Repeat<Exception?>(e, writes).ToList()).Committed(null);
            return null;
        }

        var (written, rejections) = rows.Of(prepared, DateTime.UtcNow.Ticks);
        var answer = new Answer(message, envelopes, journal, rejections);
        if (written.Count == 0)
        {
            answer.Committed(null);
            return null;
        }

        return (prepared[0].PersistenceId, writer.Write(written, answer));
    }

    /// <summary>
    /// The writes unchanged when no event adapter changes any of their events, else null. The
    /// journal's preparation copies every event to drop its sender and runs it through the adapters;
    /// a row keeps neither the sender nor anything else the copy changes, so without an adapter the
    /// copy is only garbage: ~7% of the node's allocations per durable write (measured).
    /// </summary>
    private List<AtomicWrite>? AsTheyCame(IReadOnlyList<IPersistentEnvelope> envelopes)
    {
        var writes = new List<AtomicWrite>(envelopes.Count);
        for (var e = 0; e < envelopes.Count; e++)
        {
            if (envelopes[e] is not AtomicWrite write)
            {
                continue;
            }

            var events = (IReadOnlyList<IPersistentRepresentation>)write.Payload;
            for (var p = 0; p < events.Count; p++)
            {
                if (adapts(events[p].Payload))
                {
                    return null;
                }
            }

            writes.Add(write);
        }

        return writes;
    }

    private sealed class Answer(WriteMessages message, IReadOnlyList<IPersistentEnvelope> envelopes, IActorRef journal,
        IReadOnlyList<Exception?> rejections) : ICommitted
    {
        public void Committed(Exception? failure)
        {
            var actor = message.PersistentActor;
            var instance = message.ActorInstanceId;
            actor.Tell(failure is null ? WriteMessagesSuccessful.Instance : new WriteMessagesFailed(failure, rejections.Count), journal);
            var index = 0;
            // Indexed, not foreach over the interfaces: no enumerator allocated per answer.
            for (var e = 0; e < envelopes.Count; e++)
            {
                if (envelopes[e] is not AtomicWrite write)
                {
                    // A deferred handler (not persisted): run in order with the writes around it.
                    actor.Tell(new LoopMessageSuccess(envelopes[e].Payload, instance), envelopes[e].Sender);
                    continue;
                }

                var rejected = rejections[index++];
                var events = (IReadOnlyList<IPersistentRepresentation>)write.Payload;
                for (var p = 0; p < events.Count; p++)
                {
                    var persistent = events[p];
                    object reply = failure is not null ? new WriteMessageFailure(persistent, failure, instance)
                        : rejected is not null ? new WriteMessageRejected(persistent, rejected, instance)
                        : new WriteMessageSuccess(persistent, instance);
                    actor.Tell(reply, persistent.Sender);
                }
            }
        }
    }
}

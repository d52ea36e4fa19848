using System.Collections.Immutable;
using System.Diagnostics;
using Actors.Protocol;
using Actors.Storage;
using Actors.Tracing;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace Actors.Entities;

/// <summary>
/// An entity's journal writes, and what it does when one fails. On a journal with its own writer
/// (<see cref="DirectJournals"/>) the entity hands its rows to the writer itself, numbered by it
/// from where recovery ended, and hears of the commit in one message: Akka.Persistence's persist
/// path (its batch, its pending handlers, a message to the journal actor and two answers per
/// write) cost ~11% of the node's CPU per durable request (BENCHMARKS.md, 2026-12-05). Its
/// snapshots and deletes then carry its own numbers: Akka's <c>LastSequenceNr</c> stays where
/// recovery left it. Elsewhere (another journal, or an event adapter bound to the journal) it
/// persists through Akka.
/// </summary>
public sealed partial class EntityActor<TState, TCommand, TEvent>
{
    private DirectJournal? _direct;
    private DirectAnswer? _directAnswer;
    private long _sequenceNr;
    private Task? _directWrite;

    /// <summary>Once recovered: whether the journal takes this entity's rows straight onto its writer, from which number.</summary>
    private void UseDirectJournal()
    {
        var direct = DirectJournals.Get(Context.System).For(Journal);
        _direct = direct is not null && !direct.Adapts(typeof(JournaledWrite)) ? direct : null;
        _sequenceNr = LastSequenceNr;
    }

    private void WriteDirect(WriteQueue<TState>.Batch batch)
    {
        var first = _sequenceNr + 1;
        var events = ImmutableArray.CreateBuilder<IPersistentRepresentation>(batch.Writes.Count);
        foreach (var write in batch.Writes)
        {
            events.Add(new Persistent(write, ++_sequenceNr, PersistenceId));
        }

        var (written, rejected) = _direct!.Write(new AtomicWrite(events.MoveToImmutable()), _directAnswer ??= new DirectAnswer(Self, this));
        if (rejected is not null)
        {
            // Nothing of it was queued; the entity stops (OnPersistRejected), so the numbers taken are not reused here.
            OnPersistRejected(rejected, batch.Writes[0], first);
            return;
        }

        _directWrite = written;
    }

    private void Stored(DirectWritten written)
    {
        // A restart keeps Self: an answer names the instance that wrote.
        if (!ReferenceEquals(written.Incarnation, this))
        {
            // A write of the instance before the restart: its callers were answered then.
            return;
        }

        _directWrite = null;
        if (written.Failure is null)
        {
            Written();
            return;
        }

        // As Akka does after a failed persist: the entity stops and its next message recovers it.
        WriteFailed(written.Failure, _sequenceNr);
        Context.Stop(Self);
    }

    private void SaveSnapshotOf(EntitySnapshot snapshot)
    {
        if (_direct is null)
        {
            SaveSnapshot(snapshot);
            return;
        }

        SnapshotStore.Tell(new Akka.Persistence.SaveSnapshot(new SnapshotMetadata(SnapshotterId, _sequenceNr, Context.System.Scheduler.Now.UtcDateTime),
            snapshot));
    }

    private void DeleteEventsTo(long sequenceNr)
    {
        if (_direct is null)
        {
            DeleteMessages(sequenceNr);
            return;
        }

        Journal.Tell(new DeleteMessagesTo(PersistenceId, sequenceNr, Self));
    }

    // Stopped (or restarting) with a write in flight: the next recovery of this id waits for it, or it could reuse its numbers.
    private void HandOverWriteInFlight()
    {
        if (_directWrite is { IsCompleted: false } inFlight)
        {
            _direct!.InFlight(PersistenceId, inFlight);
        }
    }

    /// <summary>A direct write's outcome, sent to the entity; the success answer is made once per instance.</summary>
    private sealed class DirectAnswer(IActorRef entity, object incarnation) : ICommitted
    {
        private readonly DirectWritten _ok = new(incarnation, null);

        public void Committed(Exception? failure) => entity.Tell(failure is null ? _ok : new DirectWritten(incarnation, failure));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) => WriteFailed(cause, sequenceNr);

    private void WriteFailed(Exception cause, long sequenceNr)
    {
        // The write may or may not have reached the database: say so (Unavailable). The entity
        // stops; its next message recovers it from what the journal holds. What was decided after
        // it was never written.
        AnswerUnwritten(ErrorCode.Unavailable, $"journal write failed; the change may or may not have been stored: {cause.Message}");
        // Not Akka's line per entity: with the database down, every entity writing fails at once.
        if (_failures.Admit("write", Environment.TickCount64, out var heldBack))
        {
            Log.Error(cause, "Journal write of {0} (event {1}) failed: {2} ({3} more of {4} since the last line; at most one line per " +
                             "actors.log.offence-interval)", PersistenceId, sequenceNr, cause.GetBaseException().Message, heldBack, _entityType);
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // Rejected before it was stored (e.g. it could not be serialized): nothing of the write
        // was stored, but the state in memory already moved, so the entity stops and recovers
        // from the journal. Alone in its write, the command is at fault (HandlerFailed); in a
        // group, the others are not, so all are told to retry (alone, the bad one then fails).
        var alone = _writes.WritingOneCommand;
        AnswerUnwritten(alone ? ErrorCode.HandlerFailed : ErrorCode.Unavailable,
            alone ? $"journal rejected the event: {cause.Message}" : $"journal rejected a write this change was part of; it was not stored: {cause.Message}");
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    protected override void PreRestart(Exception reason, object message)
    {
        // Our own code threw (a persist handler): the callers still waiting get their one answer,
        // and a stop the shard asked for is asked again of the next instance.
        AnswerUnwritten(ErrorCode.Unavailable, $"the entity failed while storing this change; it may or may not have been stored: {reason.Message}");
        if (_stopAsked)
        {
            Self.Tell(StopEntity.Instance);
        }

        base.PreRestart(reason, message);
    }

    /// <summary>The write in progress failed: its callers, and those of what was decided after it, hear (see <see cref="WriteQueue{TState}.Fail"/>).</summary>
    private void AnswerUnwritten(ErrorCode code, string writing)
    {
        _writeSpan?.SetStatus(ActivityStatusCode.Error, writing);
        ActorsTracing.Stop(_writeSpan, null);
        _writeSpan = null;
        Answer(_writes.Fail(code, writing));
    }
}

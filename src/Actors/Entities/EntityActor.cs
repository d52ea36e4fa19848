using System.Diagnostics;
using Actors.Gateway;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Serialization;
using Actors.Telemetry;
using Actors.Tracing;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace Actors.Entities;

/// <summary>
/// One keyed entity: the state cached in memory, the journal as the truth. Commands are
/// decided by the entity type's <see cref="IEntityHandler{TState,TCommand,TEvent}"/>; events
/// are persisted before the reply is sent, so an acknowledged change survives any crash.
/// Idle entities passivate through the shard; the next message recovers them. Messages are
/// matched by a switch, not ReceivePersistentActor's handlers: those cost every live entity its
/// own handler lists and delegates (~1 KB each; a node holds up to max-live of them).
/// </summary>
public sealed partial class EntityActor<TState, TCommand, TEvent> : PersistentActor
    where TState : class, IJournaled
    where TCommand : IKeyedRequest
    where TEvent : class, IJournaled
{
    private readonly EntityTypeSettings _settings;
    private readonly EntityLifecycle _lifecycle;
    private readonly string _entityType;
    private TState _state;
    private int _eventsSinceSnapshot;
    private readonly RequestWindow _requests;
    private readonly EntityCommands<TState, TCommand, TEvent> _commands;
    private readonly string _key;
    private readonly RecoveryBackoff _backoff;
    private readonly SnapshotSlots _snapshots;
    private readonly EntityFailureLog _failures;
    private readonly EntityRecovery<TState, TEvent> _recovery;

    private readonly WriteQueue<TState> _writes = new();
    private bool _stopAsked;

    private readonly string _spanName;

    // The write in progress, when any of its requests is traced.
    private Activity? _writeSpan;

    // Rows of the write in progress not yet confirmed, and the handler that counts them.
    private int _unpersisted;
    private Action<JournaledWrite>? _onePersisted;

    // Made once: a method group passed as a delegate is a new one per call.
    private Func<string, AppliedRequest?>? _unwrittenLookup;

    public EntityActor(string entityType, string key, IEntityHandler<TState, TCommand, TEvent> handler, EntityTypeSettings settings,
        LiveEntities live, NodeTelemetry telemetry, RecoveryBackoff backoff, SnapshotSlots snapshots, EntityFailureLog failures)
    {
        _key = key;
        _failures = failures;
        _backoff = backoff;
        _snapshots = snapshots;
        _snapshotDue = SnapshotSlots.FirstDue(settings.SnapshotEvery, settings.SnapshotSpread, Random.Shared);
        _lifecycle = new EntityLifecycle(entityType, live, telemetry);
        _entityType = entityType;
        _spanName = $"actors.entity {entityType}";
        _settings = settings;
        if (settings.JournalPluginId.Length > 0)
        {
            JournalPluginId = settings.JournalPluginId;
        }

        if (settings.SnapshotPluginId.Length > 0)
        {
            SnapshotPluginId = settings.SnapshotPluginId;
        }

        _state = handler.Initial(key);
        PersistenceId = PersistenceIdFor(entityType, key);

        _requests = new RequestWindow(settings.RememberRequestsFor, settings.MaxRememberedRequests);
        _commands = new EntityCommands<TState, TCommand, TEvent>(handler, _requests, settings, PersistenceId, Log,
            WireShape.Of(Context.System));
        _recovery = new EntityRecovery<TState, TEvent>(handler.Apply, _requests);
    }

    protected override bool ReceiveCommand(object message)
    {
        switch (message)
        {
            case RoutedRequest routed:
                if (_lifecycle.TryAdmit<TCommand>(routed, Sender, out var command))
                {
                    Handle(Caller.Handling(routed, Sender, _spanName, Context.System), command);
                }

                return true;
            case PassivateIdle:
                _lifecycle.IdleReported(Context);
                return true;
            case PassivateOverCap:
                _lifecycle.Passivate(Context, "cap");
                return true;
            case StopEntity:
                Stop();
                return true;
            case DirectWritten written:
                Stored(written);
                return true;
            default:
                return HandleSnapshots(message);
        }
    }

    public override string PersistenceId { get; }

    /// <summary>Entity type names cannot contain ':', so this never collides across types.</summary>
    public static string PersistenceIdFor(string entityType, string key) => $"{entityType}:{key}";

    protected override void PreStart()
    {
        base.PreStart();
        _lifecycle.Started(Context);
    }

    protected override void PostStop()
    {
        _lifecycle.Stopped();
        ReleaseSnapshotSlots();
        HandOverWriteInFlight();
        base.PostStop();
    }

    private void Handle(Caller caller, TCommand command)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        switch (_commands.Decide(_state, command, _unwrittenLookup ??= Unwritten, _writes.Unwritten, now))
        {
            case EntityCommands<TState, TCommand, TEvent>.Outcome.Answer { AfterWrites: true } answer:
                // Never ahead of the writes decided before it: it must not acknowledge what is not yet stored.
                AnswerAfterWrites(caller, answer.Reply);
                break;
            case EntityCommands<TState, TCommand, TEvent>.Outcome.Answer answer:
                caller.Answer(answer.Reply);
                break;
            case EntityCommands<TState, TCommand, TEvent>.Outcome.Write write:
                // One journal row per command: its events with its request id. Made before the state
                // moves, so an event that cannot be stored fails only its own command.
                JournaledWrite row;
                try
                {
                    row = JournaledWrite.Of(write.Request, write.Events);
                }
                catch (Exception e)
                {
                    caller.Answer(_commands.Failed(command.RequestId, e));
                    return;
                }

                // Decided now, stored with whatever else arrives while the journal is busy: one write
                // for all of them. The caller hears only after its row is in the journal.
                _state = write.Next;
                _writes.Add(row, write.Events.Count, caller, write.Reply);
                WriteNext();
                break;
        }
    }

    private AppliedRequest? Unwritten(string requestId) => _writes.TryGetUnwritten(requestId, out var applied) ? applied : null;

    /// <summary>A reply that must not overtake the writes decided before it.</summary>
    private void AnswerAfterWrites(Caller caller, IReply reply)
    {
        if (_writes.ReplyNowOrAfterWrites(caller, reply))
        {
            caller.Answer(reply);
        }
    }

    /// <summary>Sends everything decided since the last write to the journal as one write, if none is in progress.</summary>
    private void WriteNext()
    {
        if (_writes.Next(_state, Environment.TickCount64) is not { } batch)
        {
            StopIfAsked();
            return;
        }

        if (batch.Writes.Count == 0)
        {
            Answer(batch.Replies);
            WriteQueue<TState>.Recycle(batch);
            StopIfAsked();
            return;
        }

        _writeSpan = ActorsTracing.On ? WriteSpan.Start(batch.Replies.Select(r => r.Caller), batch.Writes.Count, PersistenceId) : null;
        if (_direct is not null)
        {
            WriteDirect(batch);
            return;
        }

        _unpersisted = batch.Writes.Count;
        PersistAllAsync(batch.Writes, _onePersisted ??= OnePersisted);
    }

    // One handler for every write of the entity's life, not a closure per write.
    private void OnePersisted(JournaledWrite _)
    {
        if (--_unpersisted == 0)
        {
            Written();
        }
    }

    private void Written()
    {
        // Every event of the batch is in the journal: only now do its callers hear.
        ActorsTracing.Stop(_writeSpan, null);
        _writeSpan = null;
        var batch = _writes.Stored();
        foreach (var write in batch.Writes)
        {
            _requests.Add(write.Request);
        }

        _eventsSinceSnapshot += batch.EventCount;
        ActorsMetrics.JournalWriteDuration.Record((Environment.TickCount64 - batch.Started) / 1000.0,
            new KeyValuePair<string, object?>("entity_type", _entityType));
        Answer(batch.Replies);
        SnapshotIfDue(batch.State!);
        WriteQueue<TState>.Recycle(batch);
        WriteNext();
    }

    private static void Answer(List<(Caller Caller, IReply Reply)> replies)
    {
        foreach (var (caller, reply) in replies)
        {
            caller.Answer(reply);
        }
    }

    /// <summary>The shard's stop (passivation, hand-off) waits for the writes in progress and their replies.</summary>
    private void Stop()
    {
        _stopAsked = true;
        StopIfAsked();
    }

    private void StopIfAsked()
    {
        if (_stopAsked && _writes.Idle)
        {
            _lifecycle.Stop(Context);
        }
    }
}

using Actors.Handlers;
using Actors.Protocol;
using Actors.Telemetry;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;

namespace Actors.Entities;

/// <summary>
/// One keyed entity: the state cached in memory, the journal as the truth. Commands are
/// decided by the entity type's <see cref="IEntityHandler{TState,TCommand,TEvent}"/>; events
/// are persisted before the reply is sent, so an acknowledged change survives any crash.
/// Idle entities passivate through the shard; the next message recovers them.
/// </summary>
public sealed class EntityActor<TState, TCommand, TEvent> : ReceivePersistentActor
    where TState : class, IJournaled
    where TCommand : IKeyedRequest
    where TEvent : class, IJournaled
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IEntityHandler<TState, TCommand, TEvent> _handler;
    private readonly EntityTypeSettings _settings;
    private readonly EntityLifecycle _lifecycle;
    private readonly string _entityType;
    private TState _state;
    private int _eventsSinceSnapshot;
    private readonly RecentRequests _recent;

    // The command whose events are being written; answered Unavailable if the write fails.
    private (string RequestId, IActorRef ReplyTo)? _writing;

    public EntityActor(string entityType, string key, IEntityHandler<TState, TCommand, TEvent> handler, EntityTypeSettings settings,
        LiveEntities live, NodeTelemetry telemetry)
    {
        _lifecycle = new EntityLifecycle(entityType, live, telemetry);
        _entityType = entityType;
        _handler = handler;
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

        _recent = new RecentRequests(settings.RememberRequestIds);
        Recover<SnapshotOffer>(offer =>
        {
            switch (offer.Snapshot)
            {
                case EntitySnapshot snapshot:
                    _state = (TState)Serialization.JournalSerializer.FromElement(snapshot.State, snapshot.StateManifest);
                    foreach (var id in snapshot.RecentRequestIds ?? [])
                    {
                        _recent.Add(id);
                    }

                    break;
                default:
                    _state = (TState)offer.Snapshot;
                    break;
            }
        });
        Recover<TEvent>(e =>
        {
            if (e is IRequestEvent { RequestId: { } id })
            {
                _recent.Add(id);
            }

            _state = _handler.Apply(_state, e);
            _eventsSinceSnapshot++;
        });

        Command<TCommand>(Handle);
        Command<IRequest>(other => Sender.Tell(_lifecycle.NotHandled(other)));
        Command<PassivateIdle>(_ => _lifecycle.IdleReported(Context));
        Command<PassivateOverCap>(_ => _lifecycle.Passivate(Context, "cap"));
        Command<StopEntity>(_ => _lifecycle.Stop(Context));
        Command<SaveSnapshotSuccess>(ok =>
            DeleteSnapshots(new SnapshotSelectionCriteria(ok.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failed =>
            _log.Warning(failed.Cause, "Snapshot of {0} at {1} failed; recovery replays more events until the next one",
                PersistenceId, failed.Metadata.SequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failed =>
            _log.Warning(failed.Cause, "Deleting old snapshots of {0} failed", PersistenceId));
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
        base.PostStop();
    }

    private void Handle(TCommand command)
    {
        _lifecycle.Touched();
        if (_recent.Contains(command.RequestId))
        {
            // A retry of a write this entity already made: answer, apply nothing.
            Sender.Tell(AlreadyApplied(command));
            return;
        }

        EntityStep<TState, TEvent> step;
        try
        {
            step = EntityLogic.Step(_handler, _state, command);
        }
        catch (Exception e)
        {
            // Nothing was written or changed: the entity goes on serving.
            Sender.Tell(Failed(command.RequestId, e));
            return;
        }

        if (step.Events.Count == 0)
        {
            Sender.Tell(step.Reply);
            return;
        }

        var replyTo = Sender;
        var remaining = step.Events.Count;
        var writing = Environment.TickCount64;
        _writing = (command.RequestId, replyTo);
        PersistAll(step.Events, _ =>
        {
            if (--remaining > 0)
            {
                return;
            }

            // Every event is in the journal: only now does the state move and the caller hear.
            _state = step.Next;
            if (step.Events.Any(e => e is IRequestEvent))
            {
                _recent.Add(command.RequestId);
            }

            _eventsSinceSnapshot += step.Events.Count;
            _writing = null;
            ActorsMetrics.JournalWriteDuration.Record((Environment.TickCount64 - writing) / 1000.0,
                new KeyValuePair<string, object?>("entity_type", _entityType));
            replyTo.Tell(step.Reply);
            if (_eventsSinceSnapshot >= _settings.SnapshotEvery)
            {
                SaveSnapshot(new EntitySnapshot(Serialization.JournalSerializer.ManifestOf(typeof(TState)),
                    Serialization.JournalSerializer.ToElement(_state), _recent.ToArray()));
                _eventsSinceSnapshot = 0;
            }
        });
    }

    private IReply AlreadyApplied(TCommand command)
    {
        try
        {
            return _handler.AlreadyApplied(_state, command);
        }
        catch (Exception e)
        {
            return Failed(command.RequestId, e);
        }
    }

    private ErrorReply Failed(string requestId, Exception e)
    {
        _log.Warning("Entity {0} failed on request {1}: {2}", PersistenceId, requestId, e.Message);
        return new ErrorReply(requestId, ErrorCode.HandlerFailed, e.Message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The write may or may not have reached the database: say so (Unavailable). The entity
        // stops; its next message recovers it from what the journal holds. Commands queued
        // behind this one are answered Timeout by the gateway's deadline.
        if (_writing is { } writing)
        {
            writing.ReplyTo.Tell(new ErrorReply(writing.RequestId, ErrorCode.Unavailable,
                $"journal write failed; the change may or may not have been stored: {cause.Message}"));
            _writing = null;
        }

        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // Rejected before it was stored (e.g. it could not be serialized): nothing was written.
        if (_writing is { } writing)
        {
            writing.ReplyTo.Tell(new ErrorReply(writing.RequestId, ErrorCode.HandlerFailed,
                $"journal rejected the event: {cause.Message}"));
            _writing = null;
        }

        base.OnPersistRejected(cause, @event, sequenceNr);
    }

}

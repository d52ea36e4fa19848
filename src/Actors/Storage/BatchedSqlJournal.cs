using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal;
using Akka.Persistence.Sql.Journal.Types;
using LinqToDB;
using LinqToDB.Data;

namespace Actors.Storage;

/// <summary>
/// Akka.Persistence.Sql's journal, with the two reads of a recovery — the highest sequence number
/// of one persistence id, then its events — answered for many recovering entities by one query
/// each (<see cref="QueryBatcher{TKey,TResult}"/>, <see cref="BatchedReplay"/>) instead of a
/// transaction (and a stream) each. Deletes, long replays, tables and rows are the
/// plugin's own; its rows are committed by <see cref="JournalWriter"/> (group commit on threads of
/// its own) on SQLite and PostgreSQL (<c>group-commit-writer</c>). Set as the journal's <c>class</c> in node.conf, with
/// <c>recovery-batch-size</c> (ids per query) and <c>recovery-batch-events-per-id</c>.
/// </summary>
public sealed class BatchedSqlJournal : SqlWriteJournal
{
    private readonly QueryBatcher<string, long>? _highest;
    private readonly BatchedReplay? _replay;
    private readonly JournalWriter? _writer;
    private readonly DirectWrites? _direct;

    // The last write per id: a recovery of that id reads its highest number only after it ends,
    // or it could reuse a sequence number (the plugin does the same for its own read). The
    // journal's own thread adds and sweeps (AsyncWriteJournal calls in from its receive), and an
    // entity that stops with its own write in flight adds that one (rare): a removal per write
    // from the thread that completes it contended with every other write (15% of the node's CPU
    // spinning on 2 cores, profiled).
    private readonly ConcurrentDictionary<string, Task> _writing = new();
    private int _writesSinceSweep;
    private int _sweepAfter = MinSweep;
    private const int MinSweep = 1024;

    public BatchedSqlJournal(Akka.Configuration.Config journalConfig)
        : base(journalConfig)
    {
        var config = SqlPlugins.Journal(journalConfig, Context.System.Settings.Setup);

        // The compatibility mode reads a second (metadata) table: left to the plugin's own query.
        if (config is { DaoConfig.SqlCommonCompatibilityMode: false })
        {
            var connections = new AkkaPersistenceDataConnectionFactory(config);
            var batchSize = SqlPlugins.RecoveryBatchSize(journalConfig);
            _highest = new QueryBatcher<string, long>(ids => HighestAsync(connections, ids), _ => 0, batchSize);
            _replay = new BatchedReplay(connections, Context.System.Serialization, batchSize, SqlPlugins.RecoveryBatchEventsPerId(journalConfig));
            // The block's own id: the plugin's settings lose theirs once connection options are applied.
            var pluginId = journalConfig.GetString("plugin-id");
            RecoveryReads.Get(Context.System).Track(pluginId, _highest);
            RecoveryReads.Get(Context.System).Track(RecoveryReads.Replays(pluginId), _replay.Reads);
            var relaxed = journalConfig.GetBoolean("lose-recent-writes-on-power-loss");
            var durability = Context.System.Settings.Setup.Get<Hosting.SqliteDurability>();
            // Counted where the node's durability setup is (AddActors); a journal hosted otherwise still relaxes.
            Action<System.Data.Common.DbConnection>? relaxSqlite = !relaxed ? null
                : durability.HasValue ? connection => durability.Value.Relax(pluginId, connection)
                : Hosting.SqliteDurability.Relax;
            var sqlite = config.ProviderName.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase);
            Func<IJournalCommitter>? committer = config.ProviderName switch
            {
                _ when !journalConfig.GetBoolean("group-commit-writer") || !JournalRows.Supported(config) => null,
                _ when sqlite => () => new SqliteJournalCommitter(connections, relaxSqlite),
                var name when name.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase) => () => new PostgresJournalCommitter(connections),
                _ => null,
            };
            Warn(relaxed, applied: sqlite && committer is not null, pluginId);
            if (committer is not null)
            {
                var rows = new JournalRows((ExtendedActorSystem)Context.System, config);
                _writer = new JournalWriter(committer, config.DaoConfig.BatchSize, config.DaoConfig.Parallelism, Context.GetLogger(),
                    pluginId);
                // The bindings of this block, as the journal's own are made (Persistence.CreateAdapters). The
                // identity adapter (no binding) leaves a payload as it is (WriteJournalBase.AdaptToJournal);
                // any other, even a read-only one, takes the journal's own preparation.
                var adapters = EventAdapters.Create((ExtendedActorSystem)Context.System, journalConfig);
                Func<Type, bool> adapts = type => !Equals(adapters.Get(type), IdentityEventAdapter.Instance);
                _direct = new DirectWrites(rows, _writer, PreparePersistentBatch, payload => adapts(payload.GetType()));
                // Entities write here themselves (EntityActor.Journal); one that stops mid-write leaves its write to be waited for.
                DirectJournals.Get(Context.System).Register(Self, new DirectJournal(rows, _writer, adapts, (id, written) => _writing[id] = written));
            }
        }
    }

    private static void Warn(bool relaxed, bool applied, string pluginId)
    {
        if (!relaxed)
        {
            return;
        }

        var log = Context.GetLogger();
        if (applied)
        {
            log.Warning("Journal {0}: lose-recent-writes-on-power-loss = on. Writes are acknowledged once written, before they are " +
                        "flushed to disk: a power loss or an operating-system crash can drop the last moments of acknowledged " +
                        "writes; a crash of this process cannot.", pluginId);
        }
        else
        {
            log.Warning("Journal {0}: lose-recent-writes-on-power-loss = on is ignored: it applies to SQLite with " +
                        "group-commit-writer = on (on PostgreSQL, the server's synchronous_commit). Every write is flushed " +
                        "before it is acknowledged.", pluginId);
        }
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        // Writes skip AsyncWriteJournal's path and are answered from the writer's commit (DirectWrites).
        if (_direct is null || message is not WriteMessages write)
        {
            return base.AroundReceive(receive, message);
        }

        if (_direct.Write(write, Self) is var (persistenceId, written))
        {
            Track(persistenceId, written);
        }

        return true;
    }

    protected override void PostStop()
    {
        // What is queued is written (and answered) before the writer's thread ends; writes queued
        // after that are answered as failed (GroupCommitQueue).
        DirectJournals.Get(Context.System).Unregister(Self);
        _writer?.Dispose();
        base.PostStop();
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_highest is null)
        {
            return await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
        }

        if (_writing.TryGetValue(persistenceId, out var write))
        {
            await write.ContinueWith(static _ => { }, TaskScheduler.Default).WaitAsync(cancellationToken);
        }

        // The plugin's answer: the highest number above the hint, else 0.
        var highest = await _highest.Get(persistenceId).WaitAsync(cancellationToken);
        return highest > fromSequenceNr ? highest : 0;
    }

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr,
        long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        if (_replay is null || !_replay.Covers(fromSequenceNr, toSequenceNr))
        {
            await base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
            return;
        }

        var replayed = await _replay.Reads.Get(new BatchedReplay.Range(persistenceId, fromSequenceNr, toSequenceNr));
        if (replayed.Failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        if (replayed.Events is null)
        {
            await base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
            return;
        }

        foreach (var persistent in replayed.Events.Take((int)Math.Min(max, int.MaxValue)))
        {
            recoveryCallback(persistent);
        }
    }

    // Reached only without the journal's own writer: DirectWrites takes every write otherwise.
    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages as IReadOnlyList<AtomicWrite> ?? messages.ToList();
        var written = base.WriteMessagesAsync(writes, cancellationToken);
        if (writes.Count > 0)
        {
            // One persistent actor's writes per call (AsyncWriteJournal), so one id.
            Track(writes[0].PersistenceId, written);
        }

        return written;
    }

    private void Track(string persistenceId, Task written)
    {
        _writing[persistenceId] = written;
        if (++_writesSinceSweep >= _sweepAfter)
        {
            SweepFinished();
        }
    }

    // Ended writes leave the table in sweeps, each after as many writes as the table then holds
    // (at least MinSweep): O(1) per write, and the table stays within about twice the ids in flight.
    private void SweepFinished()
    {
        var left = 0;
        foreach (var entry in _writing)
        {
            if (!entry.Value.IsCompleted || !_writing.TryRemove(entry))
            {
                left++;
            }
        }

        _writesSinceSweep = 0;
        _sweepAfter = Math.Max(MinSweep, left);
    }

    private static async Task<IReadOnlyDictionary<string, long>> HighestAsync(AkkaPersistenceDataConnectionFactory connections,
        IReadOnlyList<string> ids)
    {
        // One statement, no transaction: a single read is consistent on its own, and on SQLite an
        // explicit transaction would be the plugin's, which may begin IMMEDIATE.
        await using var connection = connections.GetConnection();
        var table = connection.GetTable<JournalRow>();
        var (name, column) = SqlPlugins.Names(table);
        var (list, parameters) = SqlPlugins.IdParameters(ids);
        var id = column(nameof(JournalRow.PersistenceId));
        var rows = await table.DataContext.QueryToListAsync(
            reader => (Id: reader.GetString(0), Highest: reader.GetInt64(1)),
            $"SELECT {id}, MAX({column(nameof(JournalRow.SequenceNumber))}) FROM {name} WHERE {id} IN ({list}) GROUP BY {id}",
            parameters);
        return rows.ToDictionary(r => r.Id, r => r.Highest);
    }
}

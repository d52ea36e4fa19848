using Akka.Event;
using Akka.Persistence.Sql.Journal.Types;

namespace Actors.Storage;

/// <summary>
/// Group commit on threads of the journal's own: each transaction takes every write queued while
/// the previous one committed (<see cref="GroupCommitQueue{TRow}"/>, up to a number of rows, whole
/// writes only), commits them with one <see cref="IJournalCommitter"/> (prepared inserts on SQLite,
/// binary COPY on PostgreSQL), and only then completes their tasks. A failed transaction is tried
/// once more on a fresh connection (the kept one may have been lost), then one write at a time, so
/// only the write at fault (a second writer of one persistence id) fails; while no connection can
/// be made, the whole group fails at once. The plugin's own writer went through an Akka.Streams
/// queue per write and built each batch as SQL text or through linq2db's bulk copy; on SQLite its
/// one thread was the limit (profiled).
/// </summary>
internal sealed class JournalWriter : IDisposable
{
    private readonly GroupCommitQueue<JournalRow> _queue = new();
    private readonly CommitAnswers _answers;
    private readonly Func<IJournalCommitter> _connect;
    private readonly int _maxRows;
    private readonly ILoggingAdapter _log;
    private readonly KeyValuePair<string, object?> _plugin;
    private readonly Thread[] _threads;

    /// <param name="connect">A committer on a connection of its own, one per thread, made when the thread first needs it.</param>
    /// <param name="writers">Transactions at once (journal.sql.parallelism): 1 by default; SQLite takes no more, PostgreSQL could (hocon/postgres.conf says why it does not).</param>
    /// <param name="pluginId">The journal's plugin id: its threads' name and its instruments' tag.</param>
    public JournalWriter(Func<IJournalCommitter> connect, int maxRows, int writers, ILoggingAdapter log, string pluginId)
    {
        _connect = connect;
        _maxRows = maxRows;
        _log = log;
        _plugin = new KeyValuePair<string, object?>("plugin", pluginId);
        var name = $"journal writer {pluginId}";
        _answers = new CommitAnswers(log);
        // Threads, not the pool: the database calls block (Microsoft.Data.Sqlite's async ones too),
        // and a commit waits for fsync.
        _threads = Enumerable.Range(0, Math.Max(1, writers))
            .Select(i => new Thread(Run) { IsBackground = true, Name = writers > 1 ? $"{name} {i + 1}" : name })
            .ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>
    /// One persistent actor's rows, committed together (all or none) with whatever else is queued;
    /// <paramref name="then"/> is told the outcome in commit order (<see cref="CommitAnswers"/>).
    /// </summary>
    public Task Write(IReadOnlyList<JournalRow> rows, ICommitted? then = null) => _queue.Enqueue(rows, then);

    /// <summary>Writes what is queued, then stops.</summary>
    public void Dispose()
    {
        _queue.Close();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var thread in _threads)
        {
            thread.Join(until - DateTime.UtcNow is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    private void Run()
    {
        IJournalCommitter? committer = null;
        while (_queue.Take(_maxRows) is { } batch)
        {
            // Once more on a fresh connection before anything fails: the kept connection may have
            // been lost (a database restart ends every session), which is no write's fault. Not
            // when there was none to lose: the database could not be reached a moment ago.
            var failed = Commit(ref committer, batch, out var unreachable);
            if (failed is not null && !unreachable)
            {
                failed = Commit(ref committer, batch, out unreachable);
            }

            if (failed is null)
            {
                continue;
            }

            if (batch.Count == 1 || unreachable)
            {
                // No connection: no write is at fault, and one by one each would wait out its own
                // connect timeout while the writes behind it waited too.
                FailFrom(batch, 0, failed);
                continue;
            }

            // One write may be at fault (a second writer's sequence number, a row the database
            // refuses): each alone, so only its own caller hears of it.
            _log.Warning("A journal transaction of {0} writes failed ({1}); writing each alone", batch.Count, failed.Message);
            for (var i = 0; i < batch.Count; i++)
            {
                if (Commit(ref committer, [batch[i]], out unreachable) is not { } alone)
                {
                    continue;
                }

                if (unreachable)
                {
                    FailFrom(batch, i, alone);
                    break;
                }

                Complete(batch[i], alone);
            }
        }

        committer?.Dispose();
    }

    private void FailFrom(List<GroupCommitQueue<JournalRow>.PendingWrite> writes, int first, Exception failure)
    {
        for (var i = first; i < writes.Count; i++)
        {
            Complete(writes[i], failure);
        }
    }

    /// <summary>
    /// Commits the writes and completes them (null), or leaves them pending and says why;
    /// <paramref name="unreachable"/>: no connection could be made.
    /// </summary>
    private Exception? Commit(ref IJournalCommitter? committer, List<GroupCommitQueue<JournalRow>.PendingWrite> writes, out bool unreachable)
    {
        unreachable = false;
        try
        {
            committer ??= _connect();
        }
        catch (Exception e)
        {
            unreachable = true;
            return e;
        }

        try
        {
            committer.Commit(writes);
        }
        catch (Exception e)
        {
            // Whatever state the connection is in, the next transaction starts on a fresh one.
            committer.Dispose();
            committer = null;
            return e;
        }

        var rows = 0;
        foreach (var write in writes)
        {
            rows += write.Rows.Count;
        }

        Telemetry.ActorsMetrics.JournalTransactionRows.Record(rows, _plugin);
        foreach (var write in writes)
        {
            Complete(write, null);
        }

        return null;
    }

    private void Complete(GroupCommitQueue<JournalRow>.PendingWrite write, Exception? failure)
    {
        if (write.Then is { } then)
        {
            // Its outcome goes to then; the task only says the write has ended (nobody awaits a failure there).
            _answers.Post(then, failure);
            write.Done.TrySetResult();
        }
        else if (failure is null)
        {
            write.Done.TrySetResult();
        }
        else
        {
            write.Done.TrySetException(failure);
        }
    }
}

/// <summary>One connection's way of committing a group of writes as one transaction (all or none).</summary>
internal interface IJournalCommitter : IDisposable
{
    void Commit(IReadOnlyList<GroupCommitQueue<JournalRow>.PendingWrite> writes);
}

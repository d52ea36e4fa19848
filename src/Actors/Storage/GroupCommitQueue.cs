namespace Actors.Storage;

/// <summary>
/// Writes waiting for one writer that commits them in groups: while a transaction commits, the
/// writes that arrive queue up, and the writer takes all of them (up to a number of rows, whole
/// writes only) as its next transaction. Each write's task completes once its transaction has
/// committed, never before. Plain logic: its specs drive it without a database.
/// </summary>
internal sealed class GroupCommitQueue<TRow>
{
    private readonly object _gate = new();
    private List<PendingWrite> _pending = [];
    private bool _closed;

    /// <summary>Writes queued and not yet taken by the writer.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="rows"/> as one write; the task ends when their transaction commits (or
    /// fails). With <paramref name="then"/>, the writer tells it the outcome, in commit order, and the
    /// task only says that the write has ended.
    /// </summary>
    public Task Enqueue(IReadOnlyList<TRow> rows, ICommitted? then = null)
    {
        // Continuations run on the pool, not on the writer's thread: it goes straight to the next transaction.
        var write = new PendingWrite(rows, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), then);
        lock (_gate)
        {
            if (!_closed)
            {
                _pending.Add(write);
                if (_pending.Count == 1)
                {
                    Monitor.Pulse(_gate);
                }

                return write.Done.Task;
            }
        }

        // Told outside the lock: an answer sends messages.
        var stopped = new ObjectDisposedException(nameof(GroupCommitQueue<TRow>), "the journal's writer has stopped");
        then?.Committed(stopped);
        return then is null ? Task.FromException(stopped) : Task.CompletedTask;
    }

    /// <summary>
    /// The next transaction's writes: every write queued, in order, up to <paramref name="maxRows"/>
    /// rows (at least one write, however large). Waits while none is queued; null once closed and empty.
    /// </summary>
    public List<PendingWrite>? Take(int maxRows)
    {
        lock (_gate)
        {
            while (_pending.Count == 0)
            {
                if (_closed)
                {
                    return null;
                }

                Monitor.Wait(_gate);
            }

            var rows = 0;
            var taken = 0;
            while (taken < _pending.Count && (taken == 0 || rows + _pending[taken].Rows.Count <= maxRows))
            {
                rows += _pending[taken].Rows.Count;
                taken++;
            }

            if (taken == _pending.Count)
            {
                var all = _pending;
                _pending = [];
                return all;
            }

            var batch = _pending.GetRange(0, taken);
            _pending.RemoveRange(0, taken);
            return batch;
        }
    }

    /// <summary>No more writes: the writer finishes what is queued, then <see cref="Take"/> returns null.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>One write (one persistent actor's call): its rows and who waits for their commit.</summary>
    internal sealed record PendingWrite(IReadOnlyList<TRow> Rows, TaskCompletionSource Done, ICommitted? Then = null);
}

/// <summary>Told once whether a queued write's transaction committed (null) or failed (why).</summary>
internal interface ICommitted
{
    void Committed(Exception? failure);
}

namespace Actors.Storage;

/// <summary>
/// Gathers single-key reads into one query for many keys, the way group commit gathers writes:
/// one query runs at a time, and every key asked for while it runs goes into the next one (up to
/// <c>maxKeys</c>; the rest wait for the query after). No timer: a lone read runs at once, and
/// under load each query carries everything that arrived during the previous one. A key asked for
/// twice before its query starts is read once. A failed query fails the reads it carried, no others.
/// Work nobody waits on (snapshot saves) may gather first: each query then takes its keys only after
/// <c>gather</c> completes, so a trickle of keys shares one query instead of one each.
/// Pure logic: the query is a function, so specs run without a database or an actor system.
/// </summary>
public sealed class QueryBatcher<TKey, TResult>
    where TKey : notnull
{
    private readonly Func<IReadOnlyList<TKey>, Task<IReadOnlyDictionary<TKey, TResult>>> _query;
    private readonly Func<TKey, TResult> _absent;
    private readonly int _maxKeys;
    private readonly Func<Task>? _gather;
    private readonly object _gate = new();
    private readonly Dictionary<TKey, TaskCompletionSource<TResult>> _waiting = new();

    // Keys in the order they were first asked for: oldest go first, so none waits behind newer ones.
    private readonly Queue<TKey> _order = new();
    private bool _running;

    /// <param name="query">Reads many keys; a key missing from its answer gets <paramref name="absent"/>.</param>
    /// <param name="absent">The result for a key the query found nothing for.</param>
    /// <param name="maxKeys">Most keys in one query (statement size, memory of one answer).</param>
    /// <param name="gather">Awaited before each query takes its keys (a short delay); null: none.</param>
    public QueryBatcher(Func<IReadOnlyList<TKey>, Task<IReadOnlyDictionary<TKey, TResult>>> query, Func<TKey, TResult> absent, int maxKeys,
        Func<Task>? gather = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        _query = query;
        _absent = absent;
        _maxKeys = maxKeys;
        _gather = gather;
    }

    /// <summary>Queries run so far (each for one or more keys).</summary>
    public long Queries => Interlocked.Read(ref _queries);

    private long _queries;

    /// <summary>Keys read so far (a key asked for twice in one query counts once).</summary>
    public long Keys => Interlocked.Read(ref _keys);

    private long _keys;

    /// <summary>Keys asked for that no query has taken yet.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _order.Count;
            }
        }
    }

    /// <summary>The result for <paramref name="key"/>, from the next query that carries it.</summary>
    public Task<TResult> Get(TKey key)
    {
        TaskCompletionSource<TResult> waiter;
        bool start;
        lock (_gate)
        {
            if (!_waiting.TryGetValue(key, out waiter!))
            {
                waiter = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add(key, waiter);
                _order.Enqueue(key);
            }

            start = !_running;
            _running = true;
        }

        if (start)
        {
            _ = RunAsync();
        }

        return waiter.Task;
    }

    private async Task RunAsync()
    {
        // Off the caller's thread, so the first caller does not run the query inline.
        await Task.Yield();
        while (true)
        {
            // A full query's worth already waiting gains nothing from gathering more.
            if (_gather is not null && Waiting < _maxKeys)
            {
                await _gather();
            }

            if (Take() is not { } batch)
            {
                return;
            }

            Interlocked.Increment(ref _queries);
            Interlocked.Add(ref _keys, batch.Count);
            try
            {
                var found = await _query(batch.Select(b => b.Key).ToArray());
                foreach (var (key, waiter) in batch)
                {
                    waiter.TrySetResult(found.TryGetValue(key, out var result) ? result : _absent(key));
                }
            }
            catch (Exception e)
            {
                foreach (var (_, waiter) in batch)
                {
                    waiter.TrySetException(e);
                }
            }
        }
    }

    /// <summary>The next batch, or null (and not running) when nothing waits.</summary>
    private List<KeyValuePair<TKey, TaskCompletionSource<TResult>>>? Take()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _running = false;
                return null;
            }

            var batch = new List<KeyValuePair<TKey, TaskCompletionSource<TResult>>>(Math.Min(_maxKeys, _order.Count));
            while (batch.Count < _maxKeys && _order.TryDequeue(out var key))
            {
                _waiting.Remove(key, out var waiter);
                batch.Add(new(key, waiter!));
            }

            return batch;
        }
    }
}

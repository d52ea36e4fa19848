using System.Diagnostics.CodeAnalysis;
using Actors.Gateway;
using Actors.Protocol;

namespace Actors.Entities;

/// <summary>
/// An entity's group commit, as plain logic the actor drives: commands decided while a journal
/// write is in progress wait here and go to the journal together as the next write, so a busy
/// key takes one write per round trip instead of one per command. At most one write is in
/// progress, so the journal's order is the order of decisions; a reply is released only when
/// every write decided before it is stored.
/// </summary>
/// <typeparam name="TState">The entity's state: each write carries the state after its last command, for the snapshot.</typeparam>
internal sealed class WriteQueue<TState>
    where TState : class
{
    // The pending batch and the unwritten table exist only while something waits: most live
    // entities are idle, and each would otherwise keep ~350 bytes of empty collections. Between
    // writes they wait as spares of the thread instead (Spares): made anew for every durable
    // write, they were ~11% of the bytes the node allocated (sampled).
    private Batch? _writing;
    private Batch? _pending;

    // Writes decided but not yet stored, by request id: a retry of one waits for it.
    private Dictionary<string, AppliedRequest>? _unwritten;

    /// <summary>Nothing decided is waiting to be stored or answered.</summary>
    public bool Idle => _writing is null && IsEmpty(_pending);

    /// <summary>Writes decided and not yet stored.</summary>
    public int Unwritten => _unwritten?.Count ?? 0;

    /// <summary>The write of <paramref name="requestId"/> if it is decided but not yet stored.</summary>
    public bool TryGetUnwritten(string requestId, out AppliedRequest applied)
    {
        applied = default!;
        return _unwritten?.TryGetValue(requestId, out applied!) == true;
    }

    private Batch Pending => _pending ??= Spares.Batch();

    /// <summary>A decided write: stored with the next write, its reply released when it is.</summary>
    public void Add(JournaledWrite write, int eventCount, Caller caller, IReply reply)
    {
        var pending = Pending;
        pending.Writes.Add(write);
        pending.EventCount += eventCount;
        pending.Replies.Add((caller, reply));
        (_unwritten ??= Spares.Table())[write.Request.RequestId] = write.Request;
    }

    /// <summary>
    /// A reply that must not overtake the writes decided before it: true when nothing is waiting
    /// (answer it now); otherwise it is released with the next write.
    /// </summary>
    public bool ReplyNowOrAfterWrites(Caller caller, IReply reply)
    {
        if (_writing is null && (_pending?.Writes.Count ?? 0) == 0)
        {
            return true;
        }

        Pending.Replies.Add((caller, reply));
        return false;
    }

    /// <summary>
    /// Takes what was decided since the last write as the next write, when none is in progress:
    /// its rows to persist (empty when only replies waited: answer them now).
    /// </summary>
    public Batch? Next(TState state, long now)
    {
        if (_writing is not null || IsEmpty(_pending))
        {
            return null;
        }

        var batch = _pending;
        _pending = null;
        if (batch.Writes.Count > 0)
        {
            batch.State = state;
            batch.Started = now;
            _writing = batch;
        }

        return batch;
    }

    /// <summary>The write in progress is stored: it is returned, its callers may hear.</summary>
    public Batch Stored()
    {
        var batch = _writing ?? throw new InvalidOperationException("no write in progress");
        _writing = null;
        foreach (var write in batch.Writes)
        {
            _unwritten?.Remove(write.Request.RequestId);
        }

        if (_unwritten is { Count: 0 } empty)
        {
            Spares.Return(empty);
            _unwritten = null;
        }

        return batch;
    }

    /// <summary>True when the write in progress holds exactly one command (its failure is that command's).</summary>
    public bool WritingOneCommand => _writing is { Writes.Count: <= 1, Replies.Count: 1 };

    /// <summary>
    /// The write in progress failed: its callers hear <paramref name="code"/>. What was decided
    /// after it was never sent to the journal: those callers are told to retry, except retries
    /// of a request in the failed write, whose fate is that write's. Everything is forgotten.
    /// </summary>
    public List<(Caller Caller, IReply Reply)> Fail(ErrorCode code, string message)
    {
        var retryAfter = code == ErrorCode.Unavailable ? TimeSpan.FromSeconds(1) : (TimeSpan?)null;
        var failed = _writing;
        var answers = (failed?.Replies ?? [])
            .Select(r => (r.Caller, (IReply)new ErrorReply(r.Reply.RequestId, code, message, retryAfter)))
            .ToList();
        foreach (var (caller, reply) in _pending?.Replies ?? [])
        {
            answers.Add((caller, failed?.Writes.Any(w => w.Request.RequestId == reply.RequestId) == true
                ? new ErrorReply(reply.RequestId, code, message, retryAfter)
                : new ErrorReply(reply.RequestId, ErrorCode.Unavailable,
                    "an earlier write of this entity failed; this request was not carried out", TimeSpan.FromSeconds(1))));
        }

        _writing = null;
        _pending = null;
        _unwritten = null;
        return answers;
    }

    /// <summary>
    /// A batch its entity is done with (its rows stored or failed, its replies sent): kept as a spare
    /// for the next write on this thread. Nothing may hold it after this.
    /// </summary>
    public static void Recycle(Batch batch) => Spares.Return(batch);

    private static bool IsEmpty([NotNullWhen(false)] Batch? batch) => batch is null || (batch.Writes.Count == 0 && batch.Replies.Count == 0);

    /// <summary>
    /// Spare batches and tables per thread, up to a few hundred of each: one commit stores a few
    /// hundred entities' writes at once, and their next writes follow together (at 32 a thread,
    /// most were dropped and made anew). An actor runs on one thread at a time; a spare taken on
    /// one thread may come back on another. One grown large is dropped, not kept.
    /// </summary>
    private static class Spares
    {
        private const int PerThread = 256;
        private const int KeptCapacity = 32;

        [ThreadStatic]
        private static Stack<Batch>? _batches;

        [ThreadStatic]
        private static Stack<Dictionary<string, AppliedRequest>>? _tables;

        public static Batch Batch() => _batches is { Count: > 0 } spare ? spare.Pop() : new Batch();

        public static Dictionary<string, AppliedRequest> Table() =>
            _tables is { Count: > 0 } spare ? spare.Pop() : new Dictionary<string, AppliedRequest>(StringComparer.Ordinal);

        public static void Return(Batch batch)
        {
            if (batch.Writes.Capacity > KeptCapacity || batch.Replies.Capacity > KeptCapacity)
            {
                return;
            }

            batch.Writes.Clear();
            batch.Replies.Clear();
            batch.EventCount = 0;
            batch.State = null;
            batch.Started = 0;
            var spare = _batches ??= new Stack<Batch>(PerThread);
            if (spare.Count < PerThread)
            {
                spare.Push(batch);
            }
        }

        public static void Return(Dictionary<string, AppliedRequest> table)
        {
            var spare = _tables ??= new Stack<Dictionary<string, AppliedRequest>>(PerThread);
            if (table.Count == 0 && table.EnsureCapacity(0) <= KeptCapacity && spare.Count < PerThread)
            {
                spare.Push(table);
            }
        }
    }

    /// <summary>Rows decided together, with the replies that wait for them.</summary>
    public sealed class Batch
    {
        /// <summary>One row per command: its events and request id.</summary>
        public List<JournaledWrite> Writes { get; } = [];

        /// <summary>The handler's events in <see cref="Writes"/>.</summary>
        public int EventCount { get; set; }

        /// <summary>Released in order once the rows are stored.</summary>
        public List<(Caller Caller, IReply Reply)> Replies { get; } = [];

        /// <summary>The state after the last of <see cref="Writes"/>.</summary>
        public TState? State { get; set; }

        /// <summary>When it went to the journal (Environment.TickCount64).</summary>
        public long Started { get; set; }
    }
}

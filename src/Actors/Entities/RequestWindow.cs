using System.Security.Cryptography;
using System.Text.Json;

namespace Actors.Entities;

/// <summary>
/// Journaled with the events of every write (in the same atomic write): the request id, a hash
/// of the command, and when it was written (Unix ms, wall clock: it outlives the process and
/// moves with the entity). A retry of the write finds it, even after a restart or a move.
/// </summary>
[JournalManifest("entity.request-applied.v1")]
public sealed record AppliedRequest(string RequestId, long CommandHash, long AtUnixMs) : IJournaled
{
    /// <summary>The hash of a write known only by its id (journals written before hashes): matches any command.</summary>
    public const long UnknownHash = 0;
}

/// <summary>What an entity knows about a request id.</summary>
public enum RequestSeen
{
    /// <summary>Not among the writes of the window: decide it.</summary>
    New,

    /// <summary>The same command was written: answer it, apply nothing.</summary>
    Applied,

    /// <summary>The id was written for a different command: refuse it.</summary>
    Reused,
}

/// <summary>
/// The request ids of an entity's writes over the last <c>window</c> (at least the client's call
/// budget, so any retry it makes is recognised), at most <c>max</c> of them. When all
/// <c>max</c> are still inside the window, the entity refuses new writes (Overloaded, retry when the
/// oldest leaves) instead of forgetting one a retry may still need. Pure: times are passed in.
/// </summary>
public sealed class RequestWindow(TimeSpan window, int max)
{
    private readonly long _windowMs = (long)window.TotalMilliseconds;
    // Ids in the order they were written, with the time that puts them out of the window.
    private readonly Queue<(string RequestId, long AtUnixMs)> _order = new();
    private readonly Dictionary<string, AppliedRequest> _byId = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public RequestSeen Check(string requestId, Func<long> commandHash)
    {
        if (!_byId.TryGetValue(requestId, out var known))
        {
            return RequestSeen.New;
        }

        return known.CommandHash == AppliedRequest.UnknownHash || known.CommandHash == commandHash()
            ? RequestSeen.Applied
            : RequestSeen.Reused;
    }

    /// <summary>
    /// Null while a new write can be remembered (<paramref name="pending"/> decided ones not yet
    /// stored count too); otherwise how long until the oldest id leaves the window.
    /// </summary>
    public TimeSpan? FullFor(long nowUnixMs, int pending)
    {
        Forget(nowUnixMs);
        if (_byId.Count + pending < max)
        {
            return null;
        }

        var oldest = _order.TryPeek(out var first) ? first.AtUnixMs : nowUnixMs;
        return TimeSpan.FromMilliseconds(Math.Max(1, oldest + _windowMs - nowUnixMs));
    }

    /// <summary>Remembers a write (from this instance or the journal); a later record of one id replaces an earlier.</summary>
    public void Add(AppliedRequest applied)
    {
        if (_byId.ContainsKey(applied.RequestId))
        {
            // A journal written before hashes, or an event that also names its id: keep the fuller record.
            if (applied.CommandHash != AppliedRequest.UnknownHash)
            {
                _byId[applied.RequestId] = applied;
            }

            return;
        }

        _byId[applied.RequestId] = applied;
        _order.Enqueue((applied.RequestId, applied.AtUnixMs));
        // Replaying a journal written under a larger bound: the oldest go first.
        while (_order.Count > max && _order.TryDequeue(out var dropped))
        {
            _byId.Remove(dropped.RequestId);
        }
    }

    /// <summary>Drops ids older than the window.</summary>
    public void Forget(long nowUnixMs)
    {
        while (_order.TryPeek(out var oldest) && nowUnixMs - oldest.AtUnixMs >= _windowMs)
        {
            _order.Dequeue();
            _byId.Remove(oldest.RequestId);
        }
    }

    /// <summary>The ids still inside the window, oldest first (for a snapshot).</summary>
    public AppliedRequest[] Remembered(long nowUnixMs)
    {
        Forget(nowUnixMs);
        return _order.Select(o => _byId[o.RequestId]).ToArray();
    }
}

/// <summary>A stable hash of a command (its JSON), the same in every process and version of .NET.</summary>
public static class CommandHash
{
    public static long Of(object command)
    {
        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(command, command.GetType());
        }
        catch (NotSupportedException)
        {
            // A command JSON cannot express: recognised by its id alone.
            return AppliedRequest.UnknownHash;
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(json, digest);
        var hash = BitConverter.ToInt64(digest[..8]);
        return hash == AppliedRequest.UnknownHash ? 1 : hash;
    }
}

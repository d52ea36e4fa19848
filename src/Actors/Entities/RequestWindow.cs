using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Actors.Entities;

/// <summary>
/// A write's request id, a hash of its command, and when it was written (Unix ms, wall clock: it
/// outlives the process and moves with the entity). Journaled with the write's events
/// (<see cref="JournaledWrite"/>), so a retry is recognised even after a restart or a move.
/// </summary>
public sealed record AppliedRequest(string RequestId, long CommandHash, long AtUnixMs)
{
    /// <summary>The hash of a write known only by its id (journals written before hashes): matches any command.</summary>
    public const long UnknownHash = 0;
}

/// <summary>
/// One command's journal row: its events (each under its own manifest) and its request. Rows
/// written before this format hold one bare event each and still replay.
/// </summary>
[JournalManifest("entity.write.v1")]
public sealed record JournaledWrite(AppliedRequest Request, JournaledEvent[] Events) : IJournaled
{
    public static JournaledWrite Of<TEvent>(AppliedRequest request, IReadOnlyList<TEvent> events) where TEvent : class, IJournaled
    {
        // A loop, not Select: one of these per durable write.
        var journaled = new JournaledEvent[events.Count];
        for (var i = 0; i < journaled.Length; i++)
        {
            journaled[i] = new JournaledEvent(Serialization.JournalSerializer.ManifestOf(events[i].GetType()), Serialization.NestedJson.Of(events[i]));
        }

        return new JournaledWrite(request, journaled);
    }
}

/// <summary>An event nested in a <see cref="JournaledWrite"/>: its JSON, under its own manifest.</summary>
public sealed record JournaledEvent(string Manifest, Serialization.NestedJson Event)
{
    public object Value() => Event.ToValue(Manifest);
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
/// A write an entity remembers, compactly: hashes of its request id and command, and its time.
/// 24 bytes; an entity of a hot key holds thousands.
/// </summary>
public readonly record struct RememberedWrite(long IdHash, long CommandHash, long AtUnixMs)
{
    public static RememberedWrite Of(AppliedRequest applied) =>
        new(Hashes.OfId(applied.RequestId), applied.CommandHash, applied.AtUnixMs);
}

/// <summary>
/// The writes of an entity over the last <c>window</c> (at least the client's call budget, so
/// any retry it makes is recognised), at most <c>max</c> of them. When all <c>max</c> are still
/// inside the window, the entity refuses new writes (Overloaded, retry when the oldest leaves)
/// instead of forgetting one a retry may still need. Pure: times are passed in.
/// </summary>
public sealed class RequestWindow(TimeSpan window, int max)
{
    private readonly long _windowMs = (long)window.TotalMilliseconds;

    // Writes in the order they were made (the time in each puts it out of the window), and by id hash.
    private readonly Queue<RememberedWrite> _order = new();
    private readonly Dictionary<long, long> _commandById = new();

    public int Count => _commandById.Count;

    public RequestSeen Check(string requestId, Func<long> commandHash) => KnownHash(requestId) switch
    {
        null => RequestSeen.New,
        var known => known == AppliedRequest.UnknownHash || known == commandHash() ? RequestSeen.Applied : RequestSeen.Reused,
    };

    /// <summary>The command hash written for <paramref name="requestId"/> inside the window (<see cref="AppliedRequest.UnknownHash"/> when the journal had none), or null.</summary>
    public long? KnownHash(string requestId) =>
        _commandById.Count > 0 && _commandById.TryGetValue(Hashes.OfId(requestId), out var known) ? known : null;

    /// <summary>
    /// Null while a new write can be remembered (<paramref name="pending"/> decided ones not yet
    /// stored count too); otherwise how long until the oldest leaves the window.
    /// </summary>
    public TimeSpan? FullFor(long nowUnixMs, int pending)
    {
        Forget(nowUnixMs);
        if (_commandById.Count + pending < max)
        {
            return null;
        }

        var oldest = _order.TryPeek(out var first) ? first.AtUnixMs : nowUnixMs;
        return TimeSpan.FromMilliseconds(Math.Max(1, oldest + _windowMs - nowUnixMs));
    }

    public void Add(AppliedRequest applied) => Add(RememberedWrite.Of(applied));

    /// <summary>Remembers a write (from this instance or the journal); a later record of one id with its hash completes an earlier one without.</summary>
    public void Add(RememberedWrite write)
    {
        if (_commandById.TryGetValue(write.IdHash, out var known))
        {
            // A journal written before hashes, or an event that also names its id: keep the fuller record.
            if (known == AppliedRequest.UnknownHash)
            {
                _commandById[write.IdHash] = write.CommandHash;
            }

            return;
        }

        _commandById[write.IdHash] = write.CommandHash;
        _order.Enqueue(write);
        // Replaying a journal written under a larger bound: the oldest go first.
        while (_order.Count > max && _order.TryDequeue(out var dropped))
        {
            _commandById.Remove(dropped.IdHash);
        }
    }

    /// <summary>Drops writes older than the window.</summary>
    public void Forget(long nowUnixMs)
    {
        while (_order.TryPeek(out var oldest) && nowUnixMs - oldest.AtUnixMs >= _windowMs)
        {
            _order.Dequeue();
            _commandById.Remove(oldest.IdHash);
        }
    }

    /// <summary>The writes still inside the window, oldest first, packed for a snapshot (<see cref="Unpack"/> reads them).</summary>
    public string Packed(long nowUnixMs)
    {
        Forget(nowUnixMs);
        var bytes = new byte[_order.Count * 24];
        var i = 0;
        foreach (var write in _order)
        {
            var slot = bytes.AsSpan(i, 24);
            BinaryPrimitives.WriteInt64LittleEndian(slot, write.IdHash);
            BinaryPrimitives.WriteInt64LittleEndian(slot[8..], _commandById[write.IdHash]);
            BinaryPrimitives.WriteInt64LittleEndian(slot[16..], write.AtUnixMs);
            i += 24;
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>Writes packed by <see cref="Packed"/>: 24 bytes each, little-endian id hash, command hash, time.</summary>
    public static IEnumerable<RememberedWrite> Unpack(string? packed)
    {
        var bytes = string.IsNullOrEmpty(packed) ? [] : Convert.FromBase64String(packed);
        for (var i = 0; i + 24 <= bytes.Length; i += 24)
        {
            yield return new RememberedWrite(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i)),
                BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i + 8)), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i + 16)));
        }
    }
}

/// <summary>
/// Stable 64-bit hashes (XxHash3, seed 0: the same in every process and version of .NET), kept
/// in journals and snapshots. Not cryptographic: ids are the caller's own and a client able to
/// write a key can change it anyway; what matters is that honest ids never collide (2^-64).
/// </summary>
public static class Hashes
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    public static long OfId(string requestId) =>
        (long)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(requestId.AsSpan()));

    /// <summary>A command's hash: of its JSON; never <see cref="AppliedRequest.UnknownHash"/>.</summary>
    public static long OfCommand(object command)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            JsonSerializer.Serialize(writer, command, command.GetType());
        }
        catch (Exception)
        {
            // A command JSON cannot express (or whose getter throws): recognised by its id alone,
            // rather than failing the entity that is handling it.
            return AppliedRequest.UnknownHash;
        }

        writer.Flush();
        var hash = (long)XxHash3.HashToUInt64(buffer.WrittenSpan);
        return hash == AppliedRequest.UnknownHash ? 1 : hash;
    }
}

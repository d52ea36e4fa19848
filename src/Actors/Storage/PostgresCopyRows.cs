using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Actors.Storage;

/// <summary>
/// Rows in PostgreSQL's binary COPY format (header, then per row a field count and each field's
/// length and bytes, then a trailer), written into one buffer that a raw COPY stream sends. Npgsql's
/// importer did the same per value through an async call and a parameter each: ~6% of the node's
/// CPU per durable write (profiled). Takes the values the plugin's columns hold (bigint, integer,
/// boolean, text, bytea, null) and refuses any other, naming it. Plain logic: specs check its bytes.
/// </summary>
internal sealed class PostgresCopyRows
{
    // "PGCOPY\n\xff\r\n\0", then flags and header-extension length (both 0).
    private static readonly byte[] Header = [.. "PGCOPY\n"u8, 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    // A buffer grown by one very large write is not kept for the next.
    private const int KeptCapacity = 1 << 22;

    private ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    /// <summary>Starts a new COPY's data: the header.</summary>
    public void Start()
    {
        if (_buffer.Capacity > KeptCapacity)
        {
            _buffer = new ArrayBufferWriter<byte>(64 * 1024);
        }

        _buffer.ResetWrittenCount();
        _buffer.Write(Header);
    }

    /// <summary>Starts a row of <paramref name="columns"/> fields.</summary>
    public void Row(int columns)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.GetSpan(2), checked((short)columns));
        _buffer.Advance(2);
    }

    /// <summary>One field of the current row, as the column's binary form.</summary>
    public void Field(object? value, string column)
    {
        switch (value)
        {
            case null:
                Length(-1);
                break;
            case long number:
                Length(8);
                BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), number);
                _buffer.Advance(8);
                break;
            case int number:
                Length(4);
                BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), number);
                _buffer.Advance(4);
                break;
            case bool flag:
                Length(1);
                _buffer.GetSpan(1)[0] = flag ? (byte)1 : (byte)0;
                _buffer.Advance(1);
                break;
            case string text:
                var size = Encoding.UTF8.GetByteCount(text);
                Length(size);
                _buffer.Advance(Encoding.UTF8.GetBytes(text, _buffer.GetSpan(size)));
                break;
            case byte[] bytes:
                Length(bytes.Length);
                _buffer.Write(bytes);
                break;
            default:
                throw new NotSupportedException(
                    $"the journal's writer cannot send column {column} as {value.GetType().Name} (it sends bigint, integer, boolean, text " +
                    "and bytea); set the journal's group-commit-writer = off to write through the plugin");
        }
    }

    /// <summary>The COPY's data so far, with the trailer.</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.GetSpan(2), -1);
        _buffer.Advance(2);
        return _buffer.WrittenMemory;
    }

    private void Length(int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), length);
        _buffer.Advance(4);
    }
}

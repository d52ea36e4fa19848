using System.Buffers;
using System.Text.Json;
using Actors.Entities;

namespace Actors.Serialization;

/// <summary>
/// A <see cref="JournaledWrite"/>'s JSON written field by field: the same bytes as
/// <see cref="JsonSerializer"/> with the journal's options (the golden file and a spec compare
/// them), without its per-call metadata walk and stack of frames for the nested records. One of
/// these per durable write; reading stays <see cref="JsonSerializer"/>'s.
/// </summary>
internal static class JournaledWriteJson
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    public static byte[] ToUtf8(JournaledWrite write)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);

        writer.WriteStartObject();
        writer.WriteStartObject("request");
        writer.WriteString("requestId", write.Request.RequestId);
        writer.WriteNumber("commandHash", write.Request.CommandHash);
        writer.WriteNumber("atUnixMs", write.Request.AtUnixMs);
        writer.WriteEndObject();
        writer.WriteStartArray("events");
        foreach (var journaled in write.Events)
        {
            writer.WriteStartObject();
            writer.WriteString("manifest", journaled.Manifest);
            writer.WritePropertyName("event");
            // Our own serializer's output: valid JSON already (as NestedJson's converter writes it).
            writer.WriteRawValue(journaled.Event.Utf8, skipInputValidation: true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 1 << 20)
        {
            // One very large write does not keep its buffer on this thread.
            _buffer = null;
            _writer = null;
        }

        return bytes;
    }
}

using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actors.Serialization;

/// <summary>
/// A journaled value's UTF-8 JSON, nested as is inside another journaled record (an event in its
/// command's row). Serialized once, when the value is made (so a value JSON cannot express fails
/// there, not in the journal's batch), and copied into the row's bytes without a second pass.
/// </summary>
[JsonConverter(typeof(NestedJsonConverter))]
public sealed class NestedJson
{
    private readonly byte[] _utf8;

    private NestedJson(byte[] utf8) => _utf8 = utf8;

    public static NestedJson Of(object value) => new(JournalSerializer.ToUtf8(value));

    /// <summary>The value's JSON, as written.</summary>
    internal ReadOnlySpan<byte> Utf8 => _utf8;

    /// <summary>The value, as the type stored under <paramref name="manifest"/>.</summary>
    public object ToValue(string manifest) => JournalSerializer.FromUtf8(_utf8, manifest);

    private sealed class NestedJsonConverter : JsonConverter<NestedJson>
    {
        public override NestedJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return new NestedJson(JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray());
        }

        // Our own serializer's output: valid JSON already, so the writer need not check it again.
        public override void Write(Utf8JsonWriter writer, NestedJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value._utf8, skipInputValidation: true);
    }
}

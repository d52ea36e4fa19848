using System.Text.Json;
using Actors.Entities;
using Actors.Handlers;
using Actors.Serialization;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Serialization;

/// <summary>
/// A write's row, written field by field, is byte for byte what System.Text.Json writes with the
/// journal's options (the golden file pins one; these cover escaping, several events and none).
/// </summary>
public sealed class JournaledWriteJsonSpecs
{
    public static TheoryData<string, long, ICounterEvent[]> Writes => new()
    {
        { "req-1", -4620693217682128896, [new CounterAdded("req-1", 42)] },
        { "ünïcødé \"quoted\" <html> & 'apostrophe' +plus\\ \u0001 😀", long.MaxValue, [new CounterAdded("a", -1), new CounterAdded("b\n", int.MinValue)] },
        { "nothing", 0, [] },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public void A_write_is_the_same_bytes_as_the_serializer_writes(string requestId, long hash, ICounterEvent[] events)
    {
        var write = JournaledWrite.Of(new AppliedRequest(requestId, hash, 1764547200000), events);

        JournaledWriteJson.ToUtf8(write).Should().Equal(JsonSerializer.SerializeToUtf8Bytes(write, JournalSerializer.Options));
    }

    [Fact]
    public void A_large_write_then_a_small_one_on_the_same_thread_each_get_their_own_bytes()
    {
        var large = JournaledWrite.Of(new AppliedRequest(new string('x', 2_000_000), 1, 2), new ICounterEvent[] { new CounterAdded("r", 1) });
        var small = JournaledWrite.Of(new AppliedRequest("s", 3, 4), new ICounterEvent[] { new CounterAdded("r", 2) });

        JournaledWriteJson.ToUtf8(large).Should().Equal(JsonSerializer.SerializeToUtf8Bytes(large, JournalSerializer.Options));
        JournaledWriteJson.ToUtf8(small).Should().Equal(JsonSerializer.SerializeToUtf8Bytes(small, JournalSerializer.Options));
    }
}

using System.Diagnostics;
using Actors.Client;
using Actors.Protocol;
using Actors.Tests.Support;
using Actors.Tracing;
using FluentAssertions;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Clustering;

/// <summary>
/// One request, one trace: a remote client through one member's gateway to an entity on the
/// other, spans exported in memory. Plain TCP members (ClusterSpec's throttling transport would
/// put its scheme on the gateway endpoints a client connects to).
/// </summary>
[Collection(Alone.Name)]
public sealed class TracingSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _journal = TempJournal.NewPath();
    private TestNode _first = null!;
    private TestNode _second = null!;

    public async Task InitializeAsync() => (_first, _second) = await TestNode.StartPairAsync(_journal);

    [Fact]
    public async Task A_remote_add_through_two_members_is_one_trace_of_client_gateway_entity_and_journal_spans()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ActorsTracing.SourceName).AddInMemoryExporter(spans).Build())
        {
            await using var client = ActorsClient.Connect([_first.Contact]);
            // Keys until one's entity lives on another member than the gateway that took its request.
            for (var k = 0; k < 60; k++)
            {
                await client.AskAsync<CounterValue>(new AddToCounter(client.NewRequestId(), $"traced-{k}", 1));
            }

            tracing.ForceFlush();
        }

        List<Activity> exported;
        lock (spans)
        {
            exported = [.. spans];
        }

        var across = exported
            .GroupBy(s => s.TraceId)
            .Select(trace => trace.ToList())
            .Where(trace => trace.Any(s => s.OperationName == "actors.entity counter"
                && trace.Any(g => g.OperationName == "actors.gateway AddToCounter" && Member(g) != Member(s))))
            .Should().NotBeEmpty("some keys live on the member whose gateway did not take their request").And.Subject.First();

        var call = across.Should().ContainSingle(s => s.OperationName == "actors.call AddToCounter").Subject;
        var gateway = across.Should().ContainSingle(s => s.OperationName == "actors.gateway AddToCounter").Subject;
        var entity = across.Should().ContainSingle(s => s.OperationName == "actors.entity counter").Subject;
        var journal = across.Should().ContainSingle(s => s.OperationName == "actors.journal.write").Subject;

        call.Kind.Should().Be(ActivityKind.Client);
        gateway.ParentSpanId.Should().Be(call.SpanId, "the gateway's span continues the client's, carried in the request's envelope");
        Member(gateway).Should().NotBe(Member(entity));
        entity.ParentSpanId.Should().Be(gateway.SpanId, "the entity's span continues the gateway's, carried to the other member");
        journal.ParentSpanId.Should().Be(entity.SpanId);
        gateway.GetTagItem("actors.request_id").Should().Be(call.GetTagItem("actors.request_id"));
        across.Should().OnlyContain(s => s.Status != ActivityStatusCode.Error);
        journal.Duration.Should().BeLessThanOrEqualTo(entity.Duration, "the entity answers only after its write");
    }

    private static string? Member(Activity span) => span.GetTagItem("actors.member") as string;

    public async Task DisposeAsync()
    {
        output.WriteLine("stopping both members");
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        TempJournal.Delete(_journal);
    }
}

using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Hosting;

/// <summary>
/// A client that knows a contracts assembly the node does not: the node cannot read such a
/// request, and answers it UnknownRequest by the id in its envelope, naming the type and the
/// fix, at once; its caller never waits for a Timeout, and the other items of a batch are served.
/// </summary>
public sealed class UnreadableRequestSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    [Fact]
    public async Task A_request_the_node_cannot_read_is_answered_unknown_by_its_id_and_its_batch_neighbours_are_served()
    {
        await using var client = await ConnectFromAnotherSystemAsync(typeof(NotOnTheNode).Assembly);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var alone = await client.SendAsync(new NotOnTheNode(client.NewRequestId(), "x"), Patience);
        var mixed = Enumerable.Range(0, 40)
            .Select(i => i % 2 == 0 ? (IRequest)new NotOnTheNode(client.NewRequestId(), "x") : new GetCounter(client.NewRequestId(), $"k{i}"))
            .ToList();
        var replies = await client.MapAsync(mixed, window: 40, timeout: Patience);

        alone.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.UnknownRequest);
        ((ErrorReply)alone).Message.Should().Contain(nameof(NotOnTheNode)).And.Contain("AddContracts");
        replies.Where((_, i) => i % 2 == 0).Should().AllSatisfy(r => r.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.UnknownRequest));
        replies.Where((_, i) => i % 2 == 1).Should().AllBeOfType<CounterValue>();
        replies.Select(r => r.RequestId).Should().Equal(mixed.Select(r => r.RequestId), "each answer carries its request's id");
        started.Elapsed.Should().BeLessThan(Patience, "answered by the node, not left to the client's timeout");
    }

    public sealed record NotOnTheNode(string RequestId, string Text) : IRequest;
}

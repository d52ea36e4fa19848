using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

/// <summary>
/// Requests answered Timeout but never finished (lost with a dead member, hung) keep a slot of
/// their route's hard maximum, not of its adaptive limit: a limit at its floor is not shut by them.
/// </summary>
public sealed class OverdueSlotSpecs(ITestOutputHelper output) : NodeSpec(output, Hocon,
    actors => actors.AddHandler<Stall>("stall", _ => new StallHandler()))
{
    // The lane's limit is its floor, 2: two requests that never finish would fill it.
    private const string Hocon = """
        actors.admission { request-deadline = 1s, adaptive.initial-limit = 2 }
        actors.lanes.narrow { workers = 1, router = round-robin, concurrency-per-worker = 2, max-in-flight = 50, abandon-after = 1s }
        actors.handlers.stall.lane = narrow
        """;

    [Fact]
    public async Task Requests_past_their_deadline_do_not_keep_the_adaptive_limit_full()
    {
        var stuck = await Task.WhenAll(Send(new Stall(Id(), Forever: true)), Send(new Stall(Id(), Forever: true)));
        stuck.Should().AllSatisfy(r => r.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Timeout));

        // The worker gives the two up after abandon-after; meanwhile requests are admitted (and wait), not refused.
        var seen = new List<ErrorCode>();
        IReply reply;
        do
        {
            reply = await Send(new Stall(Id(), Forever: false));
            if (reply is ErrorReply error)
            {
                seen.Add(error.Code);
            }
        }
        while (reply is ErrorReply && seen.Count < 20);

        seen.Should().NotContain(ErrorCode.Overloaded, "two overdue requests do not count against a limit of two");
        reply.Should().BeOfType<Stalled>();
    }

    public sealed record Stall(string RequestId, bool Forever) : IRequest;

    public sealed record Stalled(string RequestId) : IReply;

    private sealed class StallHandler : IRequestHandler<Stall>
    {
        public async ValueTask<IReply> HandleAsync(Stall request, CancellationToken cancellationToken)
        {
            if (request.Forever)
            {
                // Ignores its token: only the worker giving it up ends its hold on the worker.
                await new TaskCompletionSource().Task;
            }

            return new Stalled(request.RequestId);
        }
    }
}

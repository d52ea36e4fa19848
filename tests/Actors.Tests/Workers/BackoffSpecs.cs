using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using Actors.Workers;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Workers;

public sealed class BackoffSpecs : NodeSpec
{
    private const string Hocon = """
        actors.lanes.single { workers = 1, router = round-robin, restart-backoff { min = 500ms, max = 2s } }
        actors.handlers.always-fails.lane = single
        actors.handlers.ok.lane = single
        actors.lanes.broken { workers = 1, restart-backoff { min = 50ms, max = 1s } }
        actors.handlers.cannot-open.lane = broken
        """;

    public BackoffSpecs(ITestOutputHelper output) : base(output, Hocon, actors => actors
        .AddHandler<AlwaysFails>("always-fails", _ => new AlwaysFailsHandler())
        .AddHandler<Ok>("ok", _ => new OkHandler())
        .AddHandler<CannotOpen>("cannot-open", _ => throw new IOException("database is down")))
    {
    }

    [Fact]
    public async Task A_handler_that_keeps_throwing_backs_off_but_its_lane_keeps_a_worker_and_answers_everything()
    {
        var overloaded = 0;
        for (var failed = 0; failed < 6;)
        {
            var reply = await Send(new AlwaysFails(Id()));
            if (reply is ErrorReply { Code: ErrorCode.Overloaded, RetryAfter: { } wait })
            {
                // Backing off: the worker refuses at once and says when to come back.
                overloaded++;
                await Task.Delay(wait);
                continue;
            }

            reply.Should().BeOfType<ErrorReply>().Which.Message.Should().Be("always-fails: never works");
            failed++;
        }

        overloaded.Should().BePositive("past three failures in a row the worker backs off");

        // The single worker comes back after its back-off and serves the other handler of its lane.
        await AwaitAssertAsync(async () => (await Send(new Ok(Id()))).Should().BeOfType<OkDone>(), Patience,
            TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task A_handler_whose_resource_cannot_be_opened_is_answered_Unavailable_not_queued()
    {
        var error = await ExpectError(new CannotOpen(Id()), ErrorCode.Unavailable);

        error.Message.Should().Contain("database is down");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 100)]
    [InlineData(5, 200)]
    [InlineData(7, 800)]
    [InlineData(40, 5000)]
    public void Backoff_doubles_from_the_first_failure_past_the_free_ones_up_to_the_cap(int failures, int expectedMs)
    {
        RestartHistory.Backoff(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), after: 3)
            .Should().Be(TimeSpan.FromMilliseconds(expectedMs));
    }

    public sealed record AlwaysFails(string RequestId) : IRequest;

    public sealed record Ok(string RequestId) : IRequest;

    public sealed record OkDone(string RequestId) : IReply;

    public sealed record CannotOpen(string RequestId) : IRequest;

    private sealed class AlwaysFailsHandler : IRequestHandler<AlwaysFails>
    {
        public ValueTask<IReply> HandleAsync(AlwaysFails request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("never works");
    }

    private sealed class OkHandler : IRequestHandler<Ok>
    {
        public ValueTask<IReply> HandleAsync(Ok request, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReply>(new OkDone(request.RequestId));
    }
}

using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Workers;

/// <summary>
/// A handler's token fires at its request's deadline; one that honours it frees its worker
/// without counting as a failure, one that ignores it is given up abandon-after later and its
/// worker replaces its handlers, so the requests behind it are served instead of waiting for ever.
/// </summary>
public sealed class HungHandlerSpecs : NodeSpec
{
    // One worker running one request at a time: anything stuck in it blocks everything behind.
    // abandon-after is generous: a handler that honours its token must be seen to finish within it
    // even on a loaded machine (at 1 s, CI once gave up on one that had been cancelled in time).
    private const string Hocon = """
        actors.admission.request-deadline = 1s
        actors.lanes.single { workers = 1, router = round-robin, abandon-after = 5s }
        actors.handlers.hang.lane = single
        """;

    private readonly Instances _instances;

    public HungHandlerSpecs(ITestOutputHelper output) : this(output, new Instances())
    {
    }

    private HungHandlerSpecs(ITestOutputHelper output, Instances instances)
        : base(output, Hocon, actors => actors.AddHandler<Hang>("hang", _ => new HangHandler(instances)))
    {
        _instances = instances;
    }

    [Fact]
    public async Task A_handler_waiting_on_its_token_is_cancelled_at_the_deadline_and_its_worker_goes_on()
    {
        // From the worker (the handler gave up at the deadline) or the gateway's sweep, whichever comes first.
        var error = await ExpectError(new Hang(Id(), HonoursToken: true), ErrorCode.Timeout);
        error.Message.Should().Match(m => m.Contains("handler was cancelled") || m.Contains("did not answer within 1 s"));

        await AwaitAssertAsync(() => _instances.Cancelled.Should().Be(1, "the token fired at the deadline"), Patience);
        (await Expect<Hung>(new Hang(Id(), Wait: false))).Instance.Should().Be(1, "a cancellation is not a failure: the same handler serves on");
    }

    [Fact]
    public async Task A_handler_ignoring_its_token_is_given_up_and_the_requests_behind_it_are_served()
    {
        var stuck = Send(new Hang(Id(), HonoursToken: false));
        (await stuck).Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Timeout);

        // Behind the hung one on the only worker: served once the worker gives it up (abandon-after past its deadline).
        var reply = await EventFilter.Warning(contains: "given up, handlers replaced").ExpectOneAsync(async () =>
        {
            IReply next;
            do
            {
                next = await Send(new Hang(Id(), Wait: false));
            }
            while (next is ErrorReply { Code: ErrorCode.Timeout or ErrorCode.Overloaded });

            return next;
        });

        reply.Should().BeOfType<Hung>().Which.Instance.Should().Be(2, "the worker replaced its handlers");
    }

    public sealed record Hang(string RequestId, bool Wait = true, bool HonoursToken = true) : IRequest;

    public sealed record Hung(string RequestId, int Instance) : IReply;

    private sealed class Instances
    {
        public int Created;
        public int Cancelled;
    }

    private sealed class HangHandler(Instances instances) : IRequestHandler<Hang>
    {
        private readonly int _instance = Interlocked.Increment(ref instances.Created);

        public async ValueTask<IReply> HandleAsync(Hang request, CancellationToken cancellationToken)
        {
            if (!request.Wait)
            {
                return new Hung(request.RequestId, _instance);
            }

            if (!request.HonoursToken)
            {
                await new TaskCompletionSource().Task;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref instances.Cancelled);
                throw;
            }

            return new Hung(request.RequestId, _instance);
        }
    }
}

using Actors.Gateway;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

public sealed class AdmissionSpecs : NodeSpec
{
    private const string Hocon = """
        actors.admission { max-in-flight = 8, request-deadline = 2s, min-retry-after = 25ms, queue-wait = 1s }
        actors.lanes.held { workers = 1, router = round-robin, concurrency-per-worker = 10, max-in-flight = 5 }
        actors.handlers.hold.lane = held
        actors.lanes.held-too { workers = 1, router = round-robin, concurrency-per-worker = 10, max-in-flight = 5 }
        actors.handlers.hold-too.lane = held-too
        actors.lanes.single { workers = 1, router = round-robin, concurrency-per-worker = 1, max-in-flight = 5 }
        actors.handlers.hold-in-line.lane = single
        """;

    private readonly Valve _valve;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _ran;

    public AdmissionSpecs(ITestOutputHelper output) : this(output, new Valve(), new System.Collections.Concurrent.ConcurrentQueue<string>())
    {
    }

    private AdmissionSpecs(ITestOutputHelper output, Valve valve, System.Collections.Concurrent.ConcurrentQueue<string> ran)
        : base(output, Hocon, actors => actors
            .AddHandler<Hold>("hold", _ => new HoldHandler(valve))
            .AddHandler<HoldToo>("hold-too", _ => new HoldTooHandler(valve))
            .AddHandler<HoldInLine>("hold-in-line", _ => new HoldInLineHandler(valve, ran)))
    {
        _valve = valve;
        _ran = ran;
    }

    [Fact]
    public async Task A_request_is_dropped_unrun_once_its_caller_stops_waiting_and_answered_Timeout_at_the_callers_deadline()
    {
        // One worker, one at a time: the timed request waits behind a held one.
        var first = Send(new HoldInLine(Id()));
        await AwaitAssertAsync(() => _ran.Should().HaveCount(1), Patience);
        var queued = Id();

        var reply = await Gateway.Ask<IReply>(new TimedRequest(new HoldInLine(queued), TimeSpan.FromMilliseconds(300)), Patience);

        reply.Should().BeOfType<ErrorReply>().Which.Message.Should().Contain("within 0.3 s", "its caller's 300 ms, not request-deadline's 2 s");
        ((ErrorReply)reply).Code.Should().Be(ErrorCode.Timeout);
        _ran.Should().HaveCount(1, "the timed request waits behind the held one");
        _valve.Open();
        (await first).Should().BeOfType<Held>();
        await AwaitAssertAsync(async () => (await InFlight()).InFlight.Should().Be(0), Patience);
        _ran.Should().NotContain(queued, "the worker took it after its caller stopped waiting");
        (await Gateway.Ask<IReply>(new TimedRequest(new HoldInLine(Id()), TimeSpan.Zero), Patience)).Should().BeOfType<ErrorReply>()
            .Which.Message.Should().Contain("stopped waiting");
        (await Gateway.Ask<IReply>(new TimedRequest(new HoldInLine(Id()), TimeSpan.FromSeconds(5)), Patience)).Should().BeOfType<Held>();
    }

    [Fact]
    public async Task Beyond_its_lane_bound_a_request_waits_for_a_slot_and_runs_when_one_frees_within_the_queue_wait()
    {
        var held = Enumerable.Range(0, 5).Select(_ => Send(new Hold(Id()))).ToList();
        await AwaitAssertAsync(async () => (await InFlight()).InFlight.Should().Be(5), Patience);

        var waiting = Send(new Hold(Id()));
        await AwaitAssertAsync(async () => (await InFlight()).Waiting.Should().Be(1), Patience);
        _valve.Open();

        (await waiting).Should().BeOfType<Held>("a slot freed before its wait was over");
        (await Task.WhenAll(held)).Should().AllBeOfType<Held>();
        var stats = await InFlight();
        (stats.InFlight, stats.Waiting, stats.Rejected).Should().Be((0, 0, 0L));
    }

    [Fact]
    public async Task Beyond_its_lane_bound_a_request_no_slot_reaches_within_the_queue_wait_is_answered_Overloaded_with_a_retry_hint()
    {
        var held = Enumerable.Range(0, 5).Select(_ => Send(new Hold(Id()))).ToList();
        await AwaitAssertAsync(async () => (await InFlight()).InFlight.Should().Be(5), Patience);
        var started = Environment.TickCount64;

        var refused = await ExpectError(new Hold(Id()), ErrorCode.Overloaded);

        (Environment.TickCount64 - started).Should().BeGreaterThanOrEqualTo(1000, "it waited the whole queue-wait");
        refused.Message.Should().Contain("lane held had no free slot within 1000 ms");
        refused.RetryAfter.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(25));
        (await InFlight()).Waiting.Should().Be(0);
        _valve.Open();
        (await Task.WhenAll(held)).Should().AllBeOfType<Held>();
        (await InFlight()).InFlight.Should().Be(0);
        await Expect<Held>(new Hold(Id()));
    }

    [Fact]
    public async Task Beyond_the_node_bound_every_kind_of_request_is_answered_Overloaded()
    {
        // Five on one lane and three on another fill the node's bound of eight.
        var held = Enumerable.Range(0, 5).Select(_ => Send(new Hold(Id())))
            .Concat(Enumerable.Range(0, 3).Select(_ => Send(new HoldToo(Id())))).ToList();
        await AwaitAssertAsync(async () => (await InFlight()).InFlight.Should().Be(8), Patience);

        (await ExpectError(new EstimatePi(Id(), 10), ErrorCode.Overloaded)).Message.Should().Contain("node has 8");
        (await ExpectError(new GetCounter(Id(), "k"), ErrorCode.Overloaded)).Should().NotBeNull();

        _valve.Open();
        (await Task.WhenAll(held)).Should().AllBeOfType<Held>();
        await Expect<PiEstimated>(new EstimatePi(Id(), 10));
    }

    [Fact]
    public async Task A_request_that_is_never_answered_inside_the_node_gets_Timeout_from_the_gateway()
    {
        var error = await ExpectError(new Hold(Id(), Forever: true), ErrorCode.Timeout);

        error.Message.Should().Contain("did not answer within 2 s");
        (await InFlight()).InFlight.Should().Be(1, "the hung handler still holds its slot until it answers");
    }

    [Fact]
    public async Task The_same_request_id_twice_in_flight_is_refused()
    {
        var id = Id();
        var first = Send(new Hold(id));
        await AwaitAssertAsync(async () => (await InFlight()).InFlight.Should().Be(1), Patience);

        await ExpectError(new Hold(id), ErrorCode.InvalidRequest);
        _valve.Open();
        (await first).Should().BeOfType<Held>();
    }

    private Task<GatewayStats> InFlight() => Gateway.Ask<GatewayStats>(GetGatewayStats.Instance, Patience);

    public sealed record Hold(string RequestId, bool Forever = false) : IRequest;

    public sealed record HoldToo(string RequestId) : IRequest;

    public sealed record HoldInLine(string RequestId) : IRequest;

    public sealed record Held(string RequestId) : IReply;


    private sealed class HoldTooHandler(Valve valve) : IRequestHandler<HoldToo>
    {
        public async ValueTask<IReply> HandleAsync(HoldToo request, CancellationToken cancellationToken)
        {
            await valve.Opened;
            return new Held(request.RequestId);
        }
    }

    private sealed class HoldInLineHandler(Valve valve, System.Collections.Concurrent.ConcurrentQueue<string> ran) : IRequestHandler<HoldInLine>
    {
        public async ValueTask<IReply> HandleAsync(HoldInLine request, CancellationToken cancellationToken)
        {
            ran.Enqueue(request.RequestId);
            await valve.Opened;
            return new Held(request.RequestId);
        }
    }

    private sealed class HoldHandler(Valve valve) : IRequestHandler<Hold>
    {
        public async ValueTask<IReply> HandleAsync(Hold request, CancellationToken cancellationToken)
        {
            // Forever: not even the deadline's cancellation ends it (the worker gives it up later).
            await (request.Forever ? new TaskCompletionSource().Task : valve.Opened);
            return new Held(request.RequestId);
        }
    }
}

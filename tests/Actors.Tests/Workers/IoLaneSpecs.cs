using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Workers;

public sealed class IoLaneSpecs : NodeSpec
{
    // Width 2 workers x 4 = 8: eight requests must be inside their handlers at the same time.
    private const string Hocon = """
        actors.lanes.wide { workers = 2, router = round-robin, concurrency-per-worker = 4, max-in-flight = 100 }
        actors.handlers.gate.lane = wide
        actors.limits.failure-injection = on
        """;

    private readonly Gate _gate;

    public IoLaneSpecs(ITestOutputHelper output) : this(output, new Gate(8))
    {
    }

    private IoLaneSpecs(ITestOutputHelper output, Gate gate)
        : base(output, Hocon, actors => actors.AddHandler<WaitAtGate>("gate", _ => new GateHandler(gate)))
    {
        _gate = gate;
    }

    [Fact]
    public async Task A_wide_lane_runs_as_many_requests_at_once_as_its_width()
    {
        // Each handler waits until eight are inside: this completes only if the lane runs eight at once.
        var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Expect<GatePassed>(new WaitAtGate(Id()))));

        replies.Should().HaveCount(16);
        _gate.MostInside.Should().Be(8, "the lane never runs more than its width");
    }

    [Fact]
    public async Task Sleep_requests_on_the_io_lane_are_answered()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Expect<Slept>(new SleepFor(Id(), 20))));

        replies.Should().OnlyContain(r => r.Milliseconds == 20);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(30_001)]
    public async Task Sleep_out_of_range_is_invalid(int ms)
    {
        await ExpectError(new SleepFor(Id(), ms), ErrorCode.InvalidRequest);
    }

    [Fact]
    public async Task With_injected_failures_every_request_is_still_answered()
    {
        var requests = Enumerable.Range(0, 300).Select(_ => (IRequest)new SleepFor(Id(), 1, FailRate: 0.1)).ToList();

        var replies = await Task.WhenAll(requests.Select(Send));

        replies.Select(r => r.RequestId).Should().BeEquivalentTo(requests.Select(r => r.RequestId));
        // A run of failures makes a worker back off, refusing Overloaded meanwhile: rare, allowed.
        replies.OfType<ErrorReply>().Should().OnlyContain(e => e.Code == ErrorCode.HandlerFailed || e.Code == ErrorCode.Overloaded);
        replies.OfType<ErrorReply>().Where(e => e.Code == ErrorCode.HandlerFailed).Should().NotBeEmpty("about 30 of 300 fail");
        replies.OfType<Slept>().Should().NotBeEmpty();
    }

    public sealed record WaitAtGate(string RequestId) : IRequest;

    public sealed record GatePassed(string RequestId) : IReply;

    /// <summary>Opens (for good) once <c>size</c> callers are inside at once; counts the most ever inside.</summary>
    private sealed class Gate(int size)
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inside;

        public int MostInside { get; private set; }

        public async Task PassAsync()
        {
            Task open;
            lock (_lock)
            {
                _inside++;
                MostInside = Math.Max(MostInside, _inside);
                open = _open.Task;
                if (_inside == size)
                {
                    _open.TrySetResult();
                }
            }

            await open;
            lock (_lock)
            {
                _inside--;
            }
        }
    }

    private sealed class GateHandler(Gate gate) : IRequestHandler<WaitAtGate>
    {
        public async ValueTask<IReply> HandleAsync(WaitAtGate request, CancellationToken cancellationToken)
        {
            await gate.PassAsync();
            return new GatePassed(request.RequestId);
        }
    }
}

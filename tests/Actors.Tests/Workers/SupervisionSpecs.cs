using Actors.Handlers;
using Actors.Hosting;
using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Workers;

public sealed class SupervisionSpecs : NodeSpec
{
    // One worker, so the restart is observable on the very next request.
    private const string SupervisionSpecsHocon = """
        actors.lanes.single { workers = 1, router = round-robin }
        actors.handlers.flaky.lane = single
        """;

    private readonly Resources _resources;

    public SupervisionSpecs(ITestOutputHelper output) : this(output, new Resources())
    {
    }

    private SupervisionSpecs(ITestOutputHelper output, Resources resources)
        : base(output, SupervisionSpecsHocon, actors => actors.AddHandler<FlakyRequest>("flaky", _ => new FlakyHandler(resources)))
    {
        _resources = resources;
    }

    [Fact]
    public async Task A_throwing_handler_answers_HandlerFailed_and_its_worker_is_replaced()
    {
        (await Expect<FlakyDone>(new FlakyRequest(Id(), Throw: false))).Instance.Should().Be(1);

        var failing = new FlakyRequest(Id(), Throw: true);
        var error = await EventFilter.Warning(contains: "replaces its handlers").ExpectOneAsync(() => ExpectError(failing, ErrorCode.HandlerFailed));

        error.Message.Should().Be("flaky: boom on purpose");
        var after = await Expect<FlakyDone>(new FlakyRequest(Id(), Throw: false));
        after.Instance.Should().Be(2, "the restarted worker made a fresh handler");
        await AwaitAssertAsync(() => _resources.Disposed.Should().Be(1, "the failed worker's handler was disposed"), Patience);
    }

    [Fact]
    public async Task An_async_handler_that_throws_is_answered_too()
    {
        await EventFilter.Warning(contains: "replaces its handlers").ExpectOneAsync(() =>
            ExpectError(new FlakyRequest(Id(), Throw: true, Async: true), ErrorCode.HandlerFailed));

        await Expect<FlakyDone>(new FlakyRequest(Id(), Throw: false, Async: true));
    }

    [Fact]
    public async Task Requests_queued_behind_a_failure_are_all_answered()
    {
        var requests = Enumerable.Range(0, 30).Select(i => new FlakyRequest(Id(), Throw: i % 3 == 0)).ToList();

        var replies = await EventFilter.Warning(contains: "replaces its handlers").ExpectAsync(10, () => Task.WhenAll(requests.Select(Send)));

        replies.Select(r => r.RequestId).Should().BeEquivalentTo(requests.Select(r => r.RequestId));
        replies.OfType<ErrorReply>().Should().HaveCount(10).And.OnlyContain(e => e.Code == ErrorCode.HandlerFailed);
    }

    public sealed record FlakyRequest(string RequestId, bool Throw, bool Async = false) : IRequest;

    public sealed record FlakyDone(string RequestId, int Instance) : IReply;

    private sealed class Resources
    {
        private int _opened;
        private int _disposed;
        public int Opened => Volatile.Read(ref _opened);
        public int Disposed => Volatile.Read(ref _disposed);
        public int Open() => Interlocked.Increment(ref _opened);
        public void Dispose() => Interlocked.Increment(ref _disposed);
    }

    /// <summary>Holds a counted "resource" for its lifetime, like a connection.</summary>
    private sealed class FlakyHandler(Resources resources) : IRequestHandler<FlakyRequest>, IDisposable
    {
        private readonly int _instance = resources.Open();

        public async ValueTask<IReply> HandleAsync(FlakyRequest request, CancellationToken cancellationToken)
        {
            if (request.Async)
            {
                await Task.Yield();
            }

            return request.Throw ? throw new InvalidOperationException("boom on purpose") : new FlakyDone(request.RequestId, _instance);
        }

        public void Dispose() => resources.Dispose();
    }
}

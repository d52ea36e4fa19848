using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Workers;

/// <summary>A lane with dedicated threads runs its handlers off the .NET thread pool, on one thread per worker.</summary>
public sealed class DedicatedThreadsSpecs(ITestOutputHelper output) : NodeSpec(output, Hocon, actors => actors
    .AddHandler<WhereOnDedicated>("on-dedicated", _ => new WhereHandler<WhereOnDedicated>())
    .AddHandler<WhereOnShared>("on-shared", _ => new WhereHandler<WhereOnShared>()))
{
    private const string Hocon = """
        actors.lanes.own { workers = 2, dedicated-threads = on, max-in-flight = 1000 }
        actors.lanes.pooled { workers = 2, dedicated-threads = off, max-in-flight = 1000 }
        actors.handlers.on-dedicated.lane = own
        actors.handlers.on-shared.lane = pooled
        # A burst of 200 straight at the gateway (no client to retry a refusal) is admitted whole.
        actors.admission.adaptive.enabled = off
        """;

    [Fact]
    public async Task A_lane_with_dedicated_threads_runs_its_handlers_on_one_thread_per_worker_outside_the_pool()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Expect<RanOn>(new WhereOnDedicated(Id()))));

        replies.Should().OnlyContain(r => !r.ThreadPoolThread);
        replies.Select(r => r.ThreadId).Distinct().Count().Should().BeLessThanOrEqualTo(2, "the lane has two workers");
    }

    [Fact]
    public async Task A_lane_without_runs_its_handlers_on_the_thread_pool()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Expect<RanOn>(new WhereOnShared(Id()))));

        replies.Should().OnlyContain(r => r.ThreadPoolThread);
    }

    public sealed record WhereOnDedicated(string RequestId) : IRequest;

    public sealed record WhereOnShared(string RequestId) : IRequest;

    public sealed record RanOn(string RequestId, int ThreadId, bool ThreadPoolThread) : IReply;

    private sealed class WhereHandler<T> : IRequestHandler<T>
        where T : IRequest
    {
        public ValueTask<IReply> HandleAsync(T request, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReply>(new RanOn(request.RequestId, Environment.CurrentManagedThreadId,
                Thread.CurrentThread.IsThreadPoolThread));
    }
}

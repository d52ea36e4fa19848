using Actors.Storage;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>The recovery-read batcher, without a database: a query function the spec holds open.</summary>
public sealed class QueryBatcherSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A query that records what it was asked and answers only when released.</summary>
    private sealed class HeldQuery
    {
        public readonly List<IReadOnlyList<string>> Asked = [];
        private readonly SemaphoreSlim _started = new(0);
        private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Func<IReadOnlyList<string>, Exception?> Fail = _ => null;

        public async Task<IReadOnlyDictionary<string, int>> Run(IReadOnlyList<string> ids)
        {
            lock (Asked)
            {
                Asked.Add(ids);
            }

            _started.Release();
            await _release.Task;
            if (Fail(ids) is { } failure)
            {
                throw failure;
            }

            // Every id but "absent" is found; its value is its length.
            return ids.Where(id => id != "absent").ToDictionary(id => id, id => id.Length);
        }

        public Task Started() => _started.WaitAsync(Patience);

        public void Release()
        {
            var release = _release;
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            release.SetResult();
        }
    }

    [Fact]
    public async Task Reads_asked_for_while_a_query_runs_all_go_into_the_next_one()
    {
        var query = new HeldQuery();
        var batcher = new QueryBatcher<string, int>(query.Run, _ => -1, maxKeys: 100);

        var first = batcher.Get("a");
        await query.Started();
        var waiting = Enumerable.Range(0, 50).Select(i => batcher.Get($"key-{i}")).ToArray();
        query.Release();
        await query.Started();
        query.Release();

        (await first).Should().Be(1);
        (await Task.WhenAll(waiting)).Should().Equal(Enumerable.Range(0, 50).Select(i => $"key-{i}".Length));
        query.Asked.Select(a => a.Count).Should().Equal(1, 50);
        (batcher.Queries, batcher.Keys).Should().Be((2L, 51L));
    }

    [Fact]
    public async Task With_a_gather_no_query_starts_before_it_ends_and_then_one_takes_every_key_asked_meanwhile()
    {
        var query = new HeldQuery();
        var gathering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gathered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new QueryBatcher<string, int>(query.Run, _ => -1, maxKeys: 100, gather: () =>
        {
            gathering.TrySetResult();
            return gathered.Task;
        });

        var first = batcher.Get("a");
        var rest = Enumerable.Range(0, 20).Select(i => batcher.Get($"key-{i}")).ToArray();
        await gathering.Task.WaitAsync(Patience);
        query.Asked.Should().BeEmpty("the round is still gathering");
        gathered.SetResult();
        await query.Started();
        query.Release();

        (await first).Should().Be(1);
        (await Task.WhenAll(rest)).Should().HaveCount(20);
        query.Asked.Select(a => a.Count).Should().Equal(21);
    }

    [Fact]
    public async Task A_key_asked_for_twice_before_its_query_is_read_once_and_a_key_not_found_gets_the_absent_value()
    {
        var query = new HeldQuery();
        var batcher = new QueryBatcher<string, int>(query.Run, _ => -1, maxKeys: 100);

        var blocker = batcher.Get("first");
        await query.Started();
        var twice = new[] { batcher.Get("same"), batcher.Get("same"), batcher.Get("absent") };
        query.Release();
        await query.Started();
        query.Release();

        await blocker;
        (await Task.WhenAll(twice)).Should().Equal(4, 4, -1);
        query.Asked[1].Should().BeEquivalentTo(["same", "absent"]);
    }

    [Fact]
    public async Task No_query_carries_more_than_max_keys_and_the_oldest_go_first()
    {
        var query = new HeldQuery();
        var batcher = new QueryBatcher<string, int>(query.Run, _ => -1, maxKeys: 3);

        var blocker = batcher.Get("first");
        await query.Started();
        var waiting = Enumerable.Range(0, 7).Select(i => batcher.Get($"k{i}")).ToArray();
        for (var i = 0; i < 3; i++)
        {
            query.Release();
            await query.Started();
        }

        query.Release();
        await Task.WhenAll(waiting.Append(blocker)).WaitAsync(Patience);
        query.Asked.Select(a => string.Join(",", a)).Should().Equal("first", "k0,k1,k2", "k3,k4,k5", "k6");
    }

    [Fact]
    public async Task A_failed_query_fails_the_reads_it_carried_and_no_others()
    {
        var query = new HeldQuery { Fail = ids => ids.Contains("bad") ? new InvalidOperationException("the database refused") : null };
        var batcher = new QueryBatcher<string, int>(query.Run, _ => -1, maxKeys: 2);

        var blocker = batcher.Get("first");
        await query.Started();
        var failing = new[] { batcher.Get("bad"), batcher.Get("unlucky") };
        var later = batcher.Get("later");
        query.Release();
        await query.Started();
        query.Release();
        await query.Started();
        query.Release();

        (await blocker).Should().Be(5);
        foreach (var read in failing)
        {
            await read.Invoking(r => r).Should().ThrowAsync<InvalidOperationException>();
        }

        (await later).Should().Be(5);
    }
}

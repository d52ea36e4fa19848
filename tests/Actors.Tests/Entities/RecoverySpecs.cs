using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

public sealed class RecoverySpecs : IAsyncLifetime
{
    private readonly string _journal = TempJournal.NewPath();

    [Fact]
    public async Task Totals_written_by_one_actor_system_read_back_from_a_new_one_on_the_same_journal()
    {
        // snapshot-every = 4: the 10 events leave two snapshots and two events to replay.
        const string hocon = "actors.entities.counter { snapshot-every = 4, snapshot-spread = 0 }";
        var keys = Enumerable.Range(0, 5).Select(i => $"key-{i}").ToList();
        await using (var first = await TestNode.StartAsync(_journal, hocon))
        {
            foreach (var key in keys)
            {
                for (var i = 0; i < 10; i++)
                {
                    var reply = await first.Client.AskAsync<CounterValue>(new AddToCounter(first.Client.NewRequestId(), key, 3));
                    reply.Total.Should().Be(3 * (i + 1));
                }
            }
        }

        await using var second = await TestNode.StartAsync(_journal, hocon);
        foreach (var key in keys)
        {
            var total = await second.Client.AskAsync<CounterValue>(new GetCounter(second.Client.NewRequestId(), key));
            total.Total.Should().Be(30);
        }

        var next = await second.Client.AskAsync<CounterValue>(new AddToCounter(second.Client.NewRequestId(), keys[0], 1));
        next.Total.Should().Be(31);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}

using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>
/// Journal rows that cannot be read: an unreadable snapshot is skipped (the events are replayed
/// instead); an unreadable event makes its key back off, answering Unavailable with a retry-after
/// instead of re-running the failing recovery for every request.
/// </summary>
public sealed class PoisonSpecs : IAsyncLifetime
{
    private const string Hocon = """
        actors.entities.counter.snapshot-every = 3
        actors.entities.counter.snapshot-spread = 0
        actors.entities.counter.recovery-backoff { min = 5s, max = 30s }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _journal = TempJournal.NewPath();

    [Fact]
    public async Task A_poisoned_snapshot_is_skipped_and_the_events_rebuild_the_state()
    {
        await WriteAsync("snap", adds: 5);
        Poison(SnapshotsPath, "UPDATE snapshot SET snapshot = X'00FF00' WHERE persistence_id = 'counter:snap'");

        await using var node = await TestNode.StartAsync(_journal, Hocon);
        var read = await node.Client.SendAsync(new GetCounter(node.Client.NewRequestId(), "snap"), Patience);

        read.Should().BeOfType<CounterValue>().Which.Total.Should().Be(5, "all five events replayed past the unreadable snapshot");
    }

    [Fact]
    public async Task A_key_with_a_poisoned_event_backs_off_answering_Unavailable_with_a_retry_after()
    {
        await WriteAsync("bad", adds: 2);
        await WriteAsync("good", adds: 2);
        Poison(_journal, "UPDATE journal SET message = X'7B7B7B' WHERE persistence_id = 'counter:bad' AND sequence_number = 1");

        await using var node = await TestNode.StartAsync(_journal, Hocon);
        var gateway = node.Gateway;
        var first = await gateway.Ask<IReply>(new GetCounter(node.Client.NewRequestId(), "bad"), Patience);
        var second = await gateway.Ask<IReply>(new GetCounter(node.Client.NewRequestId(), "bad"), Patience);

        first.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Unavailable);
        var backingOff = second.Should().BeOfType<ErrorReply>().Subject;
        backingOff.Code.Should().Be(ErrorCode.Unavailable);
        backingOff.Message.Should().Contain("could not be recovered");
        backingOff.RetryAfter.Should().BeGreaterThan(TimeSpan.FromSeconds(1), "the key waits out its back-off without touching the journal");
        (await gateway.Ask<IReply>(new GetCounter(node.Client.NewRequestId(), "good"), Patience))
            .Should().BeOfType<CounterValue>().Which.Total.Should().Be(2, "other keys are not affected");
    }

    private string SnapshotsPath => TempJournal.SnapshotsOf(_journal);

    private async Task WriteAsync(string key, int adds)
    {
        await using var node = await TestNode.StartAsync(_journal, Hocon);
        for (var i = 0; i < adds; i++)
        {
            await node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), key, 1));
        }
    }

    private static void Poison(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery().Should().BePositive("the row to poison exists");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}

using Actors.Storage;
using Akka.Event;
using Akka.Persistence.Sql.Journal.Types;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>
/// The journal writer's failures as plain logic, with committers that fail on cue: which writes a
/// failed transaction fails, and how many connections it costs.
/// </summary>
public sealed class JournalWriterFailureSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_database_that_cannot_be_reached_fails_a_whole_group_at_once_with_one_connection_attempt_not_one_per_write()
    {
        var release = new TaskCompletionSource();
        var kept = new ScriptedCommitter(writes =>
        {
            // Holds the writer in its first transaction while the group queues behind it, then loses the session.
            release.Task.Wait(Patience);
            throw new IOException("the session was lost");
        });
        var connects = 0;
        var unreachable = new IOException("connection refused");
        using var writer = new JournalWriter(() => Interlocked.Increment(ref connects) == 1 ? kept : throw unreachable,
            maxRows: 1000, writers: 1, NoLogger.Instance, "spec-journal");

        var held = writer.Write([Row("held")]);
        await kept.Entered.Task.WaitAsync(Patience);
        var group = Enumerable.Range(0, 50).Select(i => writer.Write([Row($"k-{i}")])).ToList();
        release.SetResult();

        var all = group.Prepend(held).ToList();
        await Task.WhenAll(all.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Patience);
        all.Should().OnlyContain(t => t.IsFaulted);
        all.Select(t => t.Exception!.InnerException).Should().OnlyContain(e => ReferenceEquals(e, unreachable));
        // The kept connection; a fresh one for the held write's second try; one for the group. One
        // by one, each of the 50 would have tried (and waited out a connect timeout) on its own.
        connects.Should().Be(3);
    }

    [Fact]
    public async Task A_transaction_the_database_refuses_is_written_one_write_at_a_time_so_only_the_write_at_fault_fails()
    {
        var release = new TaskCompletionSource();
        var refused = new InvalidOperationException("duplicate sequence number");
        var connects = 0;
        var committer = new ScriptedCommitter(writes =>
        {
            release.Task.Wait(Patience);
            if (writes.Any(w => w.Rows[0].PersistenceId == "bad"))
            {
                throw refused;
            }
        });
        using var writer = new JournalWriter(() =>
        {
            Interlocked.Increment(ref connects);
            return committer;
        }, maxRows: 1000, writers: 1, NoLogger.Instance, "spec-journal");

        var first = writer.Write([Row("first")]);
        await committer.Entered.Task.WaitAsync(Patience);
        var good = Enumerable.Range(0, 9).Select(i => writer.Write([Row($"k-{i}")])).ToList();
        var bad = writer.Write([Row("bad")]);
        release.SetResult();

        await Task.WhenAll(good.Append(first)).WaitAsync(Patience);
        (await bad.ContinueWith(t => t.Exception?.InnerException, TaskScheduler.Default).WaitAsync(Patience)).Should().BeSameAs(refused);
        connects.Should().BeGreaterThan(1, "a refused transaction leaves its connection for a fresh one");
    }

    private static JournalRow Row(string persistenceId) => new() { PersistenceId = persistenceId, SequenceNumber = 1 };
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Actors.Storage;
using Actors.Telemetry;
using Akka.Event;
using Akka.Persistence.Sql.Journal.Types;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>
/// The journal writer's group commit as plain logic: writes queued while a transaction commits go
/// together into the next one, and the Meter's rows-per-transaction histogram records each
/// transaction's rows under the writer's plugin id (this spec's own, so specs beside it do not count).
/// </summary>
public sealed class JournalWriterGroupSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _plugin = $"spec-journal-{Guid.NewGuid():N}";
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<long> _recorded = new();

    public JournalWriterGroupSpecs()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ActorsMetrics.MeterName && instrument.Name == "actors.journal.transaction.rows")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, rows, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "plugin" && Equals(tag.Value, _plugin))
                {
                    _recorded.Enqueue(rows);
                }
            }
        });
        _listener.Start();
    }

    [Fact]
    public async Task Writes_queued_while_a_transaction_commits_go_into_the_next_one_and_the_meter_records_each_transactions_rows()
    {
        var release = new TaskCompletionSource();
        var committed = new ConcurrentQueue<int>();
        var committer = new ScriptedCommitter(writes =>
        {
            // The first transaction is held while fifty writes of two rows each queue behind it.
            release.Task.Wait(Patience);
            committed.Enqueue(writes.Sum(w => w.Rows.Count));
        });
        using (var writer = new JournalWriter(() => committer, maxRows: 1000, writers: 1, NoLogger.Instance, _plugin))
        {
            var first = writer.Write([Row("first", 1)]);
            await committer.Entered.Task.WaitAsync(Patience);
            var group = Enumerable.Range(0, 50).Select(i => writer.Write([Row($"k-{i}", 1), Row($"k-{i}", 2)])).ToList();
            release.SetResult();
            await Task.WhenAll(group.Append(first)).WaitAsync(Patience);
        }

        committed.Should().Equal([1, 100], "everything queued during the first commit is the second");
        _recorded.Should().Equal([1, 100], "one measurement per transaction, its rows");
    }

    private static JournalRow Row(string persistenceId, long sequenceNr) => new() { PersistenceId = persistenceId, SequenceNumber = sequenceNr };

    public void Dispose() => _listener.Dispose();
}

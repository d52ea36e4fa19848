using System.Diagnostics.Metrics;
using Actors.Hosting;
using Actors.Telemetry;

namespace Actors.Host.Bench;

/// <summary>
/// Our journal writer's transactions and their rows while it listens, read from the Meter's
/// <c>actors.journal.transaction.rows</c> (in process, the node's writer is this process's), so
/// the bench quotes what group commit gathered by the instrument an operator reads.
/// </summary>
internal sealed class TransactionRows : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _transactions;
    private long _rows;

    public TransactionRows()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, ActorsMetrics.JournalTransactionRows))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, rows, tags, _) =>
        {
            foreach (var tag in tags)
            {
                // The baseline's stock plugin has no writer of ours: only our journal records here.
                if (tag.Key == "plugin" && Equals(tag.Value, NodeConfig.JournalPlugin))
                {
                    Interlocked.Increment(ref _transactions);
                    Interlocked.Add(ref _rows, rows);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Rows per transaction so far, or null before the first.</summary>
    public double? PerTransaction => Interlocked.Read(ref _transactions) is var n and > 0 ? Interlocked.Read(ref _rows) / (double)n : null;

    public void Dispose() => _listener.Dispose();
}

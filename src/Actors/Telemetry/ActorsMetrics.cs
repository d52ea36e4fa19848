using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Actors.Telemetry;

/// <summary>
/// The one <see cref="Meter"/> of the runtime, named <c>Actors</c>, with instruments named in
/// OpenTelemetry style (Prometheus shows <c>actors_requests_total</c>,
/// <c>actors_request_duration_seconds_bucket</c>, ...). Recording costs next to nothing while no
/// listener (dotnet-counters, an exporter) is attached. Gauges read the live state of every
/// node registered in this process.
/// </summary>
public static class ActorsMetrics
{
    public const string MeterName = "Actors";

    private static readonly double[] SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly ConcurrentDictionary<NodeTelemetry, byte> Nodes = new();

    public static readonly Meter Meter = new(MeterName, typeof(ActorsMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Requests answered, by request type and outcome (ok or the error code).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("actors.requests", "{request}",
        "Requests answered, by request type and outcome");

    /// <summary>Time from admission to reply, by request type.</summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram("actors.request.duration", "s",
        "Time from admission to reply, by request type", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Requests refused Overloaded, by the bound that refused them (node, lane, entity type).</summary>
    public static readonly Counter<long> Rejections = Meter.CreateCounter<long>("actors.admission.rejections", "{request}",
        "Requests refused Overloaded, by the bound that refused them");

    /// <summary>Entities passivated, by entity type and reason (idle, cap, hand-off).</summary>
    public static readonly Counter<long> Passivations = Meter.CreateCounter<long>("actors.entities.passivations", "{entity}",
        "Entities passivated, by entity type and reason");

    /// <summary>Workers that replaced their handlers after a failure, by lane.</summary>
    public static readonly Counter<long> WorkerRestarts = Meter.CreateCounter<long>("actors.worker.restarts", "{restart}",
        "Workers that replaced their handlers after a failure, by lane");

    /// <summary>Time to write a command's events to the journal, by entity type.</summary>
    public static readonly Histogram<double> JournalWriteDuration = Meter.CreateHistogram("actors.journal.write.duration", "s",
        "Time to write a command's events to the journal, by entity type", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Write transactions SQLite committed (one fsync each), by plugin: writes per commit is what group commit gathers.</summary>
    public static readonly Counter<long> JournalCommits = Meter.CreateCounter<long>("actors.journal.commits", "{commit}",
        "Write transactions the SQLite journal and snapshot store committed, one fsync each, by plugin");

    /// <summary>
    /// Rows in each transaction the journal's own writer committed, by plugin: what group commit
    /// gathers from many entities into one commit (on SQLite, one fsync; on PostgreSQL, one COPY).
    /// </summary>
    public static readonly Histogram<long> JournalTransactionRows = Meter.CreateHistogram<long>("actors.journal.transaction.rows", "{row}",
        "Rows in each transaction the journal's writer committed, by plugin", tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });

    /// <summary>Messages that could not be delivered (dead letters), by kind.</summary>
    public static readonly Counter<long> Undeliverable = Meter.CreateCounter<long>("actors.undeliverable", "{message}",
        "Messages that could not be delivered, by kind");

    static ActorsMetrics()
    {
        Meter.CreateObservableUpDownCounter("actors.requests.in_flight",
            () => Nodes.Keys.Select(n => new Measurement<long>(n.InFlight)), "{request}", "Requests admitted and not yet answered");
        Meter.CreateObservableUpDownCounter("actors.lane.queue_depth",
            () => Nodes.Keys.SelectMany(n => n.LaneDepths().Select(l => new Measurement<long>(l.Depth, new KeyValuePair<string, object?>("lane", l.Lane)))),
            "{request}", "Requests on a lane, running or waiting, by lane");
        Meter.CreateObservableUpDownCounter("actors.entities.live",
            () => Nodes.Keys.SelectMany(n => n.LiveEntities().Select(e => new Measurement<long>(e.Count, new KeyValuePair<string, object?>("entity_type", e.Type)))),
            "{entity}", "Live entities on this node, by entity type");
    }

    internal static void Register(NodeTelemetry node) => Nodes.TryAdd(node, 0);

    internal static void Unregister(NodeTelemetry node) => Nodes.TryRemove(node, out _);
}

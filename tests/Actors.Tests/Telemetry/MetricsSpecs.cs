using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Actors.Entities;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Telemetry;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Telemetry;

/// <summary>
/// The Actors meter, read with a MeterListener. Other specs run beside this one in the same
/// process, so every check looks only at this spec's own request type, lane and entity type.
/// </summary>
public sealed class MetricsSpecs : NodeSpec
{
    private const string Hocon = """
        actors.lanes.metered { workers = 1, router = round-robin, concurrency-per-worker = 4, max-in-flight = 2 }
        actors.handlers.metered.lane = metered
        actors.entities.metered-notes { idle-timeout = 1s }
        """;

    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _seen = new();
    private readonly Valve _valve;

    public MetricsSpecs(ITestOutputHelper output) : this(output, new Valve())
    {
    }

    private MetricsSpecs(ITestOutputHelper output, Valve valve)
        : base(output, Hocon, actors => actors
            .AddHandler<Metered>("metered", _ => new MeteredHandler(valve))
            .AddEntityType("metered-notes", _ => new NotesHandler()))
    {
        _valve = valve;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ActorsMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    [Fact]
    public async Task Answered_requests_move_the_request_counter_and_the_latency_histogram()
    {
        _valve.Open();
        for (var i = 0; i < 5; i++)
        {
            await Expect<MeteredDone>(new Metered(Id()));
        }

        Measurements("actors.requests", ("type", nameof(Metered)), ("outcome", "ok")).Sum().Should().Be(5);
        Measurements("actors.request.duration", ("type", nameof(Metered))).Should().HaveCount(5).And.OnlyContain(s => s >= 0);
    }

    [Fact]
    public async Task A_rejection_moves_the_rejection_counter_and_the_lane_depth_gauge_shows_the_queue()
    {
        var held = Enumerable.Range(0, 2).Select(_ => Send(new Metered(Id()))).ToList();
        await AwaitAssertAsync(() =>
        {
            _listener.RecordObservableInstruments();
            Measurements("actors.lane.queue_depth", ("lane", "metered")).Should().Contain(2);
        }, Patience);

        await ExpectError(new Metered(Id()), ErrorCode.Overloaded);

        Measurements("actors.admission.rejections", ("bound", "lane metered")).Sum().Should().Be(1);
        Measurements("actors.requests", ("type", nameof(Metered)), ("outcome", "Overloaded")).Sum().Should().Be(1);
        _valve.Open();
        await Task.WhenAll(held);
    }

    [Fact]
    public async Task An_idle_passivation_moves_the_passivation_counter_and_the_live_gauge_follows()
    {
        await Expect<NoteCount>(new AddNote(Id(), "n1", "hello"));
        _listener.RecordObservableInstruments();
        Measurements("actors.entities.live", ("entity_type", "metered-notes")).Should().Contain(1);

        await AwaitAssertAsync(() =>
            Measurements("actors.entities.passivations", ("entity_type", "metered-notes"), ("reason", "idle")).Sum().Should().Be(1),
            Patience, TimeSpan.FromMilliseconds(200));
        Measurements("actors.journal.write.duration", ("entity_type", "metered-notes")).Should().HaveCount(1);
    }

    [Fact]
    public async Task Writes_to_one_key_that_arrive_while_one_is_stored_go_to_the_journal_together()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Expect<NoteCount>(new AddNote(Id(), "hot", $"note {i}"))));

        // Each add applied once, each caller told the count its own add made.
        replies.Select(r => r.Count).Should().BeEquivalentTo(Enumerable.Range(1, 100));
        // One journal write per group, not per add: the entity stores what queued during a write as one.
        Measurements("actors.journal.write.duration", ("entity_type", "metered-notes")).Should().HaveCountLessThan(50);
        (await Expect<NoteCount>(new AddNote(Id(), "hot", "last"))).Count.Should().Be(101);
    }

    protected override void AfterAll()
    {
        _listener.Dispose();
        base.AfterAll();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        _seen.Enqueue((instrument.Name, value, copy));
    }

    private List<double> Measurements(string instrument, params (string Key, string Value)[] tags) =>
        _seen.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value))
            .Select(m => m.Value).ToList();

    public sealed record Metered(string RequestId) : IRequest;

    public sealed record MeteredDone(string RequestId) : IReply;

    public sealed record AddNote(string RequestId, string Key, string Text) : IKeyedRequest;

    public sealed record NoteCount(string RequestId, int Count) : IReply;

    [JournalManifest("test.notes.state.v1")]
    public sealed record NotesState(int Count) : IJournaled;

    [JournalManifest("test.notes.added.v1")]
    public sealed record NoteAdded(string Text) : IJournaled;


    private sealed class MeteredHandler(Valve valve) : IRequestHandler<Metered>
    {
        public async ValueTask<IReply> HandleAsync(Metered request, CancellationToken cancellationToken)
        {
            await valve.Opened;
            return new MeteredDone(request.RequestId);
        }
    }

    private sealed class NotesHandler : IEntityHandler<NotesState, AddNote, NoteAdded>
    {
        public NotesState Initial(string key) => new(0);

        public EntityDecision<NotesState, NoteAdded> Decide(NotesState state, AddNote command) =>
            EntityDecision<NotesState, NoteAdded>.Persist(new NoteAdded(command.Text), s => new NoteCount(command.RequestId, s.Count));

        public NotesState Apply(NotesState state, NoteAdded @event) => state with { Count = state.Count + 1 };
    }
}

using System.Collections.Concurrent;
using Actors.Entities;
using Actors.Protocol;
using Actors.Tests.Support;
using Actors.TestSupport;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>
/// Keys due for a snapshot together save at most <c>max-snapshots-in-flight</c> at once; the
/// rest save after a later write, and no write waits for any of it.
/// </summary>
public sealed class SnapshotSlotsSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _journal = TempJournal.NewPath();

    [Fact]
    public void Slots_are_taken_up_to_the_bound_and_freed_by_release()
    {
        var slots = new SnapshotSlots(2, TimeSpan.FromSeconds(10));
        slots.TryTake().Should().BeTrue();
        slots.TryTake().Should().BeTrue();
        slots.TryTake().Should().BeFalse("both slots are taken");
        slots.InFlight.Should().Be(2);
        slots.Release();
        slots.TryTake().Should().BeTrue("a released slot is free again");
        slots.InFlight.Should().Be(2);
    }

    [Fact]
    public void Failed_saves_are_logged_once_per_interval_with_how_many_failed_since()
    {
        var slots = new SnapshotSlots(2, TimeSpan.FromSeconds(10));
        slots.Failed(1_000).Should().Be((true, 1));
        slots.Failed(2_000).Should().Be((false, 0));
        slots.Failed(9_000).Should().Be((false, 0));
        slots.Failed(11_000).Should().Be((true, 3), "the two counted within the interval and this one");
        slots.Failed(12_000).Should().Be((false, 0));
    }

    [Fact]
    public void First_snapshots_are_due_anywhere_between_the_spread_and_snapshot_every_never_later()
    {
        var random = new Random(7);
        var due = Enumerable.Range(0, 10_000).Select(_ => SnapshotSlots.FirstDue(100, 0.5, random)).ToList();
        due.Min().Should().Be(50);
        due.Max().Should().Be(100, "recovery replays at most snapshot-every events");
        due.GroupBy(d => d).Should().HaveCount(51, "every count from 50 to 100 is drawn")
            .And.OnlyContain(g => g.Count() < 400, "none much more often than 1 in 51");
        SnapshotSlots.FirstDue(100, 0, random).Should().Be(100, "no spread: exactly every");
        SnapshotSlots.FirstDue(1, 0.9, random).Should().Be(1);
    }

    [Fact]
    public async Task Keys_written_in_lockstep_save_their_first_snapshots_at_different_events()
    {
        const int Keys = 50, Every = 20;
        var store = HeldSnapshotStore.Create();
        store.ReleaseHeld(fail: false);
        await using var node = await TestNode.StartAsync(_journal, store.Hocon($"snapshot-every = {Every}, snapshot-spread = 0.5"));
        var keys = Enumerable.Range(0, Keys).Select(i => $"lockstep-{i}").ToList();
        for (var round = 0; round < Every; round++)
        {
            await Task.WhenAll(keys.Select(key => node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), key, 1), Patience)));
        }

        await Eventually.UntilAsync(() => store.SavedKeys.Count == Keys, Patience, "every key saved a snapshot within snapshot-every events");
        var firstAt = store.FirstSavedAt.Values.ToList();
        firstAt.Should().OnlyContain(seq => seq >= Every / 2 && seq <= Every);
        firstAt.Distinct().Should().HaveCountGreaterThan(5, "keys written together are not all due at the same event");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keys_due_together_save_at_most_the_types_slots_at_once_and_writes_never_wait_for_them(bool heldSavesFail)
    {
        const int Keys = 40, Slots = 4;
        var store = HeldSnapshotStore.Create();
        await using var node = await TestNode.StartAsync(_journal, store.Hocon($"snapshot-every = 2, snapshot-spread = 0, max-snapshots-in-flight = {Slots}"));
        var keys = Enumerable.Range(0, Keys).Select(i => $"due-{i}").ToList();
        Task AddToEachAsync(IEnumerable<string> some) => Task.WhenAll(some.Select(key =>
            node.Client.AskAsync<CounterValue>(new AddToCounter(node.Client.NewRequestId(), key, 1), Patience)));

        // Two adds per key: every key is due, and the store holds every save it is given.
        await AddToEachAsync(keys);
        await AddToEachAsync(keys);
        await Eventually.UntilAsync(() => store.InFlight == Slots, Patience, "the type's slots taken by held saves");

        // Writes go on while the saves are held (each add is answered), and start no further save.
        await AddToEachAsync(keys);
        await AddToEachAsync(keys);
        store.InFlight.Should().Be(Slots);

        store.ReleaseHeld(heldSavesFail);
        // Keys whose save was deferred (or failed) save after a later write; a few rounds reach them all.
        for (var round = 0; round < 100 && store.SavedKeys.Count < Keys; round++)
        {
            await AddToEachAsync(keys.Where(k => !store.SavedKeys.ContainsKey($"counter:{k}")));
        }

        store.SavedKeys.Should().HaveCount(Keys, "every key's snapshot is saved in the end");
        store.MostInFlight.Should().Be(Slots, "never more saves at once than the type's slots");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempJournal.Delete(_journal);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A snapshot store that holds every save until the spec releases them (then answers at once),
/// counting saves in flight. One per spec, found by its <c>store-id</c>.
/// </summary>
public sealed class HeldSnapshotStore(Config config) : SnapshotStore
{
    private static readonly ConcurrentDictionary<string, State> Stores = new();
    private readonly State _state = Stores[config.GetString("store-id")];

    public static State Create()
    {
        var state = new State(Guid.NewGuid().ToString("N"));
        Stores[state.Id] = state;
        return state;
    }

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken) =>
        Task.FromResult<SelectedSnapshot?>(null);

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        _state.Started();
        try
        {
            // Saves begun before the release wait for it; later ones are stored at once.
            if (!_state.Released.Task.IsCompleted && !await _state.Released.Task.ConfigureAwait(false))
            {
                throw new InvalidOperationException("held save failed by the spec");
            }

            _state.SavedKeys[metadata.PersistenceId] = true;
            _state.FirstSavedAt.TryAdd(metadata.PersistenceId, metadata.SequenceNr);
        }
        finally
        {
            _state.Ended();
        }
    }

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken) => Task.CompletedTask;

    public sealed class State(string id)
    {
        private readonly Lock _gate = new();
        private int _inFlight;
        private int _most;

        public string Id { get; } = id;

        /// <summary>A node's config with the counter type's snapshots in this store and <paramref name="counter"/>'s other settings.</summary>
        public string Hocon(string counter) => $$"""
            actors.entities.counter { {{counter}}, snapshot-plugin-id = "held-snapshots" }
            held-snapshots {
              class = "{{typeof(HeldSnapshotStore).AssemblyQualifiedName}}"
              store-id = "{{Id}}"
            }
            """;

        public TaskCompletionSource<bool> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentDictionary<string, bool> SavedKeys { get; } = new();
        public ConcurrentDictionary<string, long> FirstSavedAt { get; } = new();

        public int InFlight
        {
            get { lock (_gate) { return _inFlight; } }
        }

        public int MostInFlight
        {
            get { lock (_gate) { return _most; } }
        }

        public void Started()
        {
            lock (_gate)
            {
                _most = Math.Max(_most, ++_inFlight);
            }
        }

        public void Ended()
        {
            lock (_gate)
            {
                _inFlight--;
            }
        }

        /// <summary>Answers the held saves: stored, or failed when <paramref name="fail"/>; later saves are stored at once.</summary>
        public void ReleaseHeld(bool fail) => Released.TrySetResult(!fail);
    }
}

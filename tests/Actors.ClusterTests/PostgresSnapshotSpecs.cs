using Actors.ClusterTests.Support;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Persistence;
using FluentAssertions;
using Xunit;

namespace Actors.ClusterTests;

/// <summary>
/// The snapshot store on PostgreSQL sends the saves it gathers by binary COPY (each payload as
/// bytes, not spelled out in the statement's text). What that must keep: every payload reads back
/// byte for byte, large ones (stored out of line by the server) included, and a save over an
/// existing row still replaces it (the COPY fails on it; the saves are then made one by one).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotSpecs(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private string _connection = "";
    private TestNode? _node;

    public async Task InitializeAsync()
    {
        _connection = await postgres.CreateDatabaseAsync();
        _node = await TestNode.StartOnPostgresAsync(_connection);
    }

    private ActorSystem System => _node!.System;

    private Task<long> CountAsync(string sql) => PostgresServer.CountAsync(_connection, sql);

    [Fact]
    public async Task Snapshots_saved_together_read_back_byte_for_byte_and_a_second_save_at_one_number_replaces_the_first()
    {
        // Saved at once, so the store gathers them; 6 KB each, above the size the server stores out of line.
        var payloads = Enumerable.Range(0, 40).ToDictionary(i => $"snap-{i}", i => Bytes(6_000, seed: i));
        var saved = await Task.WhenAll(payloads.Select(p => AskAsync(p.Key, new Save(p.Value))));
        saved.Should().AllBeEquivalentTo("saved");
        (await CountAsync("SELECT COUNT(*) FROM snapshot")).Should().Be(payloads.Count);

        // Again at the same sequence number with other bytes: the row is replaced, not duplicated.
        var replaced = Bytes(3_000, seed: 99);
        (await AskAsync("snap-3", new Save(replaced))).Should().Be("saved");
        payloads["snap-3"] = replaced;

        var offered = await Task.WhenAll(payloads.Keys.Select(async id => (id, bytes: await AskAsync(id, Offered.Instance, fresh: true))));
        foreach (var (id, bytes) in offered)
        {
            bytes.Should().BeOfType<byte[]>().Which.Should().Equal(payloads[id], "the snapshot of {0} reads back as saved", id);
        }

        (await CountAsync("SELECT COUNT(*) FROM snapshot")).Should().Be(payloads.Count);
    }

    private async Task<object> AskAsync(string id, object message, bool fresh = false)
    {
        var actor = System.ActorOf(Props.Create(() => new Snapshotter(id)), $"{id}-{(fresh ? "again" : "first")}-{Guid.NewGuid():N}");
        try
        {
            return await actor.Ask<object>(message, Patience);
        }
        finally
        {
            actor.Tell(PoisonPill.Instance);
        }
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    private sealed record Save(byte[] Snapshot);

    private sealed class Offered
    {
        public static readonly Offered Instance = new();
    }

    /// <summary>Saves the snapshot it is told (at sequence number 0) and says so; tells what it recovered from.</summary>
    private sealed class Snapshotter : ReceivePersistentActor
    {
        private byte[]? _recovered;
        private IActorRef? _asker;

        public Snapshotter(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<SnapshotOffer>(offer => _recovered = (byte[])offer.Snapshot);
            Command<Save>(save =>
            {
                _asker = Sender;
                SaveSnapshot(save.Snapshot);
            });
            Command<SaveSnapshotSuccess>(_ => _asker?.Tell("saved"));
            Command<SaveSnapshotFailure>(failed => _asker?.Tell(new Status.Failure(failed.Cause)));
            Command<Offered>(_ => Sender.Tell((object?)_recovered ?? "none"));
        }

        public override string PersistenceId { get; }
    }
}

using System.Collections.Concurrent;
using Actors.ClusterTests.Support;
using Actors.Handlers;
using Actors.Hosting;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Sql;
using FluentAssertions;
using Npgsql;
using Xunit;

namespace Actors.ClusterTests;

/// <summary>
/// Members started together on an empty PostgreSQL database create its tables once between them:
/// no member's journal or snapshot store fails its start on another's half-made table (PostgreSQL's
/// <c>CREATE TABLE IF NOT EXISTS</c> is not safe against a concurrent one), so no error reaches
/// the log and the first write of every member succeeds.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaSpecs(PostgresServer postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const int Members = 6;

    // Before the tables were created under a lock, one member in ~8 three-member starts failed; a
    // few rounds of six make a race all but certain to show if it can happen.
    private const int Rounds = 3;

    [Fact]
    public async Task Members_starting_together_on_an_empty_database_create_its_tables_with_no_error_and_every_first_write_stored()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var connection = await postgres.CreateDatabaseAsync();
            var errors = new ConcurrentQueue<string>();
            var systems = Enumerable.Range(0, Members).Select(i => Member(connection, $"schema-{round}-{i}", errors)).ToList();
            try
            {
                // Every member's journal and snapshot store start at the same moment.
                using var go = new Barrier(Members);
                await Task.WhenAll(systems.Select(system => Task.Run(() =>
                {
                    go.SignalAndWait(Patience);
                    var persistence = Persistence.Instance.Apply(system);
                    persistence.JournalFor(null);
                    persistence.SnapshotStoreFor(null);
                })));

                // Each member's first write (after its recovery's reads of both tables).
                var written = await Task.WhenAll(systems.Select((system, i) => FirstWriteIn(system, $"member-{i}")));

                errors.Should().BeEmpty("no member's plugin failed its start on the tables another member was creating");
                written.Should().OnlyContain(outcome => outcome == "persisted");
                (await RowsAsync(connection)).Should().Be(Members);
            }
            finally
            {
                await Task.WhenAll(systems.Select(system => system.Terminate()));
            }
        }
    }

    [Fact]
    public async Task A_member_that_cannot_reach_the_database_at_start_fails_its_first_recovery_and_makes_the_tables_and_serves_once_it_can()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await postgres.SetConnectionsAllowedAsync(connection, allowed: false);
        var system = Member(connection, "schema-unreachable", new ConcurrentQueue<string>());
        try
        {
            (await FirstWriteIn(system, "early")).Should().StartWith("recovery failed", "the tables could not be made, so nothing was read");

            await postgres.SetConnectionsAllowedAsync(connection, allowed: true);

            (await FirstWriteIn(system, "later")).Should().Be("persisted", "the tables are made, and reads connect, once the server lets them");
            (await RowsAsync(connection)).Should().Be(1);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static ActorSystem Member(string connection, string name, ConcurrentQueue<string> errors)
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local")
            .WithFallback(NodeConfig.Postgres)
            .WithFallback(PostgresJournal.ConnectionConfig(connection))
            .WithFallback(NodeConfig.Defaults)
            .WithFallback(SqlPersistence.DefaultConfiguration);
        var system = ActorSystem.Create(name, BootstrapSetup.Create().WithConfig(config).And(PostgresJournal.Connections(connection)));
        var listener = system.ActorOf(Props.Create(() => new ErrorListener(errors)));
        system.EventStream.Subscribe(listener, typeof(Error));
        return system;
    }

    private static async Task<long> RowsAsync(string connection)
    {
        await using var open = new NpgsqlConnection(connection);
        await open.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM journal", open);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Starts a <see cref="FirstWrite"/> in <paramref name="system"/>; completes with its outcome.</summary>
    private static Task<string> FirstWriteIn(ActorSystem system, string persistenceId)
    {
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new FirstWrite(persistenceId, outcome)));
        return outcome.Task.WaitAsync(Patience);
    }

    private sealed class ErrorListener : ReceiveActor
    {
        public ErrorListener(ConcurrentQueue<string> errors) =>
            Receive<Error>(error => errors.Enqueue($"{error.LogSource}: {error.Message} {error.Cause?.Message}"));
    }

    /// <summary>Recovers (a snapshot load and the journal's reads), persists one event, says how that went.</summary>
    private sealed class FirstWrite : ReceivePersistentActor
    {
        private readonly TaskCompletionSource<string> _outcome;

        public FirstWrite(string persistenceId, TaskCompletionSource<string> outcome)
        {
            PersistenceId = persistenceId;
            _outcome = outcome;
            Recover<CounterState>(_ => { });
            Recover<RecoveryCompleted>(_ => Persist(new CounterState(1), _ => _outcome.TrySetResult("persisted")));
        }

        public override string PersistenceId { get; }

        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            _outcome.TrySetResult("write failed");
            base.OnPersistFailure(cause, @event, sequenceNr);
        }

        protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
        {
            _outcome.TrySetResult($"rejected: {cause.Message}");
            base.OnPersistRejected(cause, @event, sequenceNr);
        }

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            _outcome.TrySetResult($"recovery failed: {reason.Message}");
            base.OnRecoveryFailure(reason, message);
        }
    }
}

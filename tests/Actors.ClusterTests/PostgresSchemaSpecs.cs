using System.Collections.Concurrent;
using Actors.ClusterTests.Support;
using Actors.Handlers;
using Actors.Hosting;
using Actors.TestSupport;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
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

    // Before the tables were created under a lock, one member in ~8 three-member starts failed
    // (and this spec failed in its first round, every time); a few rounds of six make a race all
    // but certain to show if it can still happen.
    private const int Rounds = 3;

    [Fact]
    public async Task Members_starting_together_on_an_empty_database_create_its_tables_with_no_error_and_every_first_write_stored()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var connection = await postgres.CreateDatabaseAsync();
            var logged = new ConcurrentQueue<string>();
            var nodes = Enumerable.Range(0, Members).Select(_ => Node(connection, logged)).ToList();
            try
            {
                // Every member starts at the same moment, then writes its first event at the same moment.
                await Task.WhenAll(nodes.Select(node => Task.Run(() => node.StartAsync())));
                var written = await Task.WhenAll(nodes.Select((node, i) =>
                    FirstWriteIn(node.Services.GetRequiredService<ActorSystem>(), $"member-{i}")));

                written.Should().OnlyContain(outcome => outcome == "persisted");
                // Each node made or found the tables at its start, and no plugin failed its own start on them.
                logged.Where(Unchecked).Should().BeEmpty();
                logged.Where(line => line.StartsWith(nameof(LogLevel.Error), StringComparison.Ordinal) ||
                                     line.StartsWith(nameof(LogLevel.Critical), StringComparison.Ordinal))
                    .Should().BeEmpty("no member's plugin failed its start on the tables another member was creating");
                (await RowsAsync(connection)).Should().Be(Members);
            }
            finally
            {
                await Task.WhenAll(nodes.Select(node => node.StopAsync()));
                nodes.ForEach(node => node.Dispose());
            }
        }
    }

    [Fact]
    public async Task A_member_that_cannot_reach_the_database_starts_with_one_warning_and_leaves_the_tables_to_its_plugins()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await postgres.SetConnectionsAllowedAsync(connection, allowed: false);
        var logged = new ConcurrentQueue<string>();
        using var node = Node(connection, logged);
        try
        {
            await node.StartAsync().WaitAsync(Patience);

            // Akka's log lines reach the host's logging through its logger actor, a moment later.
            await Eventually.UntilAsync(() => logged.Any(Unchecked), Patience, "the warning logged");
            logged.Where(Unchecked).Should().ContainSingle(logged.FirstOrDefault(Unchecked));
        }
        finally
        {
            await node.StopAsync();
        }
    }

    [Fact]
    public async Task Tables_made_on_an_empty_database_compare_ids_by_their_bytes_and_a_table_that_existed_keeps_its_collation()
    {
        var connection = await postgres.CreateDatabaseAsync();
        const string ByteOrdered = "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND collation_name = 'C' " +
                                   "AND (table_name, column_name) IN (('journal', 'persistence_id'), ('tags', 'persistence_id'), ('tags', 'tag'), ('snapshot', 'persistence_id'))";
        await using (var node = await Actors.Tests.Support.TestNode.StartOnPostgresAsync(connection))
        {
            (await PostgresServer.CountAsync(connection, ByteOrdered)).Should().Be(4);
        }

        // A journal made before (its ids in the database's collation) is not rewritten at the next start.
        await using (var open = new Npgsql.NpgsqlConnection(connection))
        {
            await open.OpenAsync();
            await using var back = new Npgsql.NpgsqlCommand("ALTER TABLE journal ALTER COLUMN persistence_id TYPE text COLLATE \"default\"", open);
            await back.ExecuteNonQueryAsync();
        }

        await using (var node = await Actors.Tests.Support.TestNode.StartOnPostgresAsync(connection))
        {
            (await PostgresServer.CountAsync(connection, ByteOrdered)).Should().Be(3);
            (await FirstWriteIn(node.System, "after-restart")).Should().Be("persisted");
        }
    }

    private static bool Unchecked(string line) => line.Contains("tables could not be checked", StringComparison.Ordinal);

    /// <summary>A node in this process on its own cluster (no seeds), its log lines at Warning and above into <paramref name="logged"/>.</summary>
    private static IHost Node(string connection, ConcurrentQueue<string> logged)
    {
        var options = new NodeOptions { Port = 0 }.UseDb("postgres", connection);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new Lines(logged));

        builder.Services.AddAkka(ActorsHostingExtensions.SystemName, akka => akka
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .AddActors(options));
        return builder.Build();
    }

    private static Task<long> RowsAsync(string connection) => PostgresServer.CountAsync(connection, "SELECT count(*) FROM journal");

    /// <summary>Starts a <see cref="FirstWrite"/> in <paramref name="system"/>; completes with its outcome.</summary>
    private static Task<string> FirstWriteIn(ActorSystem system, string persistenceId)
    {
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new FirstWrite(persistenceId, outcome)));
        return outcome.Task.WaitAsync(Patience);
    }

    /// <summary>The node's log lines at Warning and above (Akka's reach it through the host's logging).</summary>
    private sealed class Lines(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception?.Message}");
            }
        }

        public void Dispose()
        {
        }
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

using Actors.ClusterTests.Support;
using Actors.Tests.Support;
using Actors.Tests.Storage;
using Akka.Actor;
using FluentAssertions;
using Xunit;

namespace Actors.ClusterTests;

/// <summary>
/// The journal's own writer on PostgreSQL (binary COPY; a tagged row inserted on its own), held to
/// what it must do on every database (<see cref="JournalWriterChecks"/>), in a node in this process.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalWriterSpecs(PostgresServer postgres) : IAsyncLifetime
{
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
    public Task A_write_that_conflicts_fails_alone_and_every_write_committed_beside_it_is_stored_and_read_back() =>
        JournalWriterChecks.A_write_that_conflicts_fails_alone(System, CountAsync);

    [Fact]
    public Task Tagged_events_go_to_the_plugins_tag_table_pointing_at_their_rows() =>
        JournalWriterChecks.Tagged_events_go_to_the_tag_table(System, CountAsync);

    [Fact]
    public Task Answers_reach_each_commands_sender_in_order_and_a_rejected_event_is_reported() =>
        JournalWriterChecks.Answers_reach_each_commands_sender_in_order(System);

    [Fact]
    public Task Writes_after_the_server_ended_every_session_succeed() =>
        JournalWriterChecks.Writes_after_every_session_was_ended_succeed(System, async () =>
        {
            // Idle connections in the pool, as a node that served recoveries has: this process's pool
            // for the connection string is the node's too.
            var idle = Enumerable.Range(0, 10).Select(_ => new Npgsql.NpgsqlConnection(_connection)).ToList();
            await Task.WhenAll(idle.Select(c => c.OpenAsync()));
            foreach (var pooled in idle)
            {
                await pooled.DisposeAsync();
            }

            // As a restart does: every session of the database ends (the node's pool and writers alike).
            await using var connection = new Npgsql.NpgsqlConnection(_connection);
            await connection.OpenAsync();
            await using var end = new Npgsql.NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                connection);
            ((long)(await end.ExecuteScalarAsync())!).Should().BeGreaterThan(0);
            // Ended, not only signalled: a write that raced the signal would prove nothing.
            await using var left = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
            var waited = global::System.Diagnostics.Stopwatch.StartNew();
            while ((long)(await left.ExecuteScalarAsync())! > 0)
            {
                waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "terminated sessions end");
                await Task.Delay(20);
            }
        });

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }
}

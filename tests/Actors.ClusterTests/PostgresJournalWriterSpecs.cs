using Actors.ClusterTests.Support;
using Actors.Hosting;
using Actors.Tests.Storage;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
    private IHost? _node;

    public async Task InitializeAsync()
    {
        _connection = await postgres.CreateDatabaseAsync();
        var options = new NodeOptions { Port = 0 }.UseDb("postgres", _connection);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(ActorsHostingExtensions.SystemName, akka => akka.AddActors(options));
        _node = builder.Build();
        await _node.StartAsync();
    }

    private ActorSystem System => _node!.Services.GetRequiredService<ActorSystem>();

    [Fact]
    public Task A_write_that_conflicts_fails_alone_and_every_write_committed_beside_it_is_stored_and_read_back() =>
        JournalWriterChecks.A_write_that_conflicts_fails_alone(System, CountAsync);

    [Fact]
    public Task Tagged_events_go_to_the_plugins_tag_table_pointing_at_their_rows() =>
        JournalWriterChecks.Tagged_events_go_to_the_tag_table(System, CountAsync);

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.StopAsync();
            _node.Dispose();
        }
    }
}

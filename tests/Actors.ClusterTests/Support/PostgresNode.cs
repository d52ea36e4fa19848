using Actors.Hosting;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.ClusterTests.Support;

/// <summary>A node in this process on a fresh database of the shared test server, and counts read from that database.</summary>
internal sealed class PostgresNode : IAsyncDisposable
{
    private readonly IHost _host;

    private PostgresNode(IHost host, string connection)
    {
        _host = host;
        Connection = connection;
    }

    public string Connection { get; }

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public static async Task<PostgresNode> StartAsync(PostgresServer postgres)
    {
        var connection = await postgres.CreateDatabaseAsync();
        var options = new NodeOptions { Port = 0 }.UseDb("postgres", connection);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(ActorsHostingExtensions.SystemName, akka => akka.AddActors(options));
        var host = builder.Build();
        await host.StartAsync();
        return new PostgresNode(host, connection);
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, a count.</summary>
    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Connection);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

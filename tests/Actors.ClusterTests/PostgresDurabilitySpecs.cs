using System.Text.Json.Nodes;
using Actors.ClusterTests.Support;
using Actors.Hosting;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>
/// `bench --db postgres` reads what the server does on commit (SHOW fsync, SHOW synchronous_commit)
/// and reports it beside its figures, so a durable-write figure taken on a server that does not
/// fsync cannot pass for one. Each case starts its own server, fsync on or off (the other specs'
/// server runs with fsync off for speed).
/// </summary>
public sealed class PostgresDurabilitySpecs(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_bench_reports_the_servers_fsync_with_its_figures(bool fsync)
    {
        var server = PostgresServer.Own(fsync);
        await server.InitializeAsync();
        var folder = Path.Combine(Path.GetTempPath(), "actors-bench-tests", Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(folder);
            var json = Path.Combine(folder, "counter.json");
            var (code, bench) = await HostProcess.RunAsync(output, "bench", Limit,
                new Dictionary<string, string> { [NodeOptions.ConnectionVariable] = await server.CreateDatabaseAsync() },
                "bench", "counter", "--inproc", "--db", "postgres", "--requests", "300", "--concurrency", "20", "--keys", "50",
                "--warmup", "0", "--json", json);

            code.Should().Be(0);
            var result = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
            result["postgres_fsync_on"]!.GetValue<double>().Should().Be(fsync ? 1 : 0);
            result["postgres_synchronous_commit_on"]!.GetValue<double>().Should().Be(1);
            bench.Stdout.Concat(bench.Stderr).Any(line => line.Contains("not durable writes", StringComparison.Ordinal)).Should().Be(!fsync);
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}

using System.Globalization;
using System.Net;
using Actors.ClusterTests.Support;
using Actors.Hosting;
using Actors.TestSupport;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>A real node on PostgreSQL with --health-port: readiness follows the journal.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HealthProbeSpecs(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Ready_turns_503_with_the_reason_while_the_journal_is_unreachable_and_back_when_it_returns()
    {
        var connection = await postgres.CreateDatabaseAsync();
        var healthPort = HostProcess.FreePort();
        using var node = HostProcess.Start(output, "node", new Dictionary<string, string> { [NodeOptions.ConnectionVariable] = connection },
            "node", "--port", HostProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            "--cluster-port", HostProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--db", "postgres",
            "--health-port", healthPort.ToString(CultureInfo.InvariantCulture));
        await node.WaitForLineAsync("Actors node up", Patience);
        using var http = new HttpClient();
        var ready = $"http://127.0.0.1:{healthPort}/health/ready";

        await UntilAsync(http, ready, HttpStatusCode.OK);

        await postgres.SetConnectionsAllowedAsync(connection, allowed: false);
        var down = await UntilAsync(http, ready, HttpStatusCode.ServiceUnavailable);
        down.Should().StartWith("Unhealthy: the journal is unreachable: ");
        (await http.GetAsync($"http://127.0.0.1:{healthPort}/health/live")).StatusCode.Should().Be(HttpStatusCode.OK,
            "the process still serves: a liveness probe must not restart it for a database outage");

        await postgres.SetConnectionsAllowedAsync(connection, allowed: true);
        (await UntilAsync(http, ready, HttpStatusCode.OK)).Should().Be("Healthy");

        node.Terminate();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>The body of the first answer with <paramref name="expected"/> status.</summary>
    private static async Task<string> UntilAsync(HttpClient http, string url, HttpStatusCode expected)
    {
        var (_, body) = await Eventually.UntilAsync(async () =>
        {
            using var response = await http.GetAsync(url);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }, answer => answer.StatusCode == expected, Patience, $"{url} answering {(int)expected}");
        return body;
    }
}

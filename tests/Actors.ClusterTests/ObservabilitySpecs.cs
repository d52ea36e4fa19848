using System.Globalization;
using System.Text.RegularExpressions;
using Actors.Client;
using Actors.ClusterTests.Support;
using Actors.Protocol;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>A real node with a metrics port, a 1 s health interval and OTLP tracing to a stand-in collector, under a little load.</summary>
public sealed partial class ObservabilitySpecs(ITestOutputHelper output) : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "actors-observability", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_node_serves_Prometheus_metrics_logs_health_lines_exports_spans_and_answers_status()
    {
        Directory.CreateDirectory(_data);
        var config = Path.Combine(_data, "fast-health.conf");
        await File.WriteAllTextAsync(config, "actors.health.interval = 1s");
        var port = HostProcess.FreePort();
        var metricsPort = HostProcess.FreePort();
        using var collector = new StandInCollector(HostProcess.FreePort());
        using var node = HostProcess.Start(output, "node", "node", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--cluster-port", HostProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            "--db", $"sqlite:{Path.Combine(_data, "actors.db")}", "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture),
            "--config", config, "--otlp-endpoint", collector.Url);
        await node.WaitForLineAsync("Actors node up", TimeSpan.FromSeconds(90));

        await using var client = ActorsClient.Connect([$"127.0.0.1:{port}"]);
        var replies = await client.MapAsync(Enumerable.Range(0, 400)
            .Select(i => (IRequest)new AddToCounter(client.NewRequestId(), $"k{i % 20}", 1)), window: 50);
        replies.Should().AllBeOfType<CounterValue>();
        // A health line reports the load of its interval.
        await node.WaitForLineAsync(l => HealthUnderLoad().IsMatch(l), TimeSpan.FromSeconds(30));

        var samples = await PrometheusText.ScrapeAsync(metricsPort);
        samples.Where(s => s.Name == "actors_requests_total" && s.Labels.Contains("type=\"AddToCounter\"") && s.Labels.Contains("outcome=\"ok\""))
            .Sum(s => s.Value).Should().BeGreaterThanOrEqualTo(400);
        samples.Should().Contain(s => s.Name == "actors_request_duration_seconds_bucket" && s.Labels.Contains("le=\"+Inf\"") && s.Value >= 400);
        samples.Should().Contain(s => s.Name == "actors_entities_live" && s.Labels.Contains("entity_type=\"counter\"") && s.Value == 20);
        samples.Should().Contain(s => s.Name == "actors_requests_in_flight");
        samples.Should().Contain(s => s.Name == "actors_lane_queue_depth" && s.Labels.Contains("lane=\"cpu\""));
        samples.Should().Contain(s => s.Name == "dotnet_gc_collections_total", "runtime metrics come along");

        var status = await client.AskAsync<ClusterStatus>(new GetClusterStatus(client.NewRequestId()));
        var member = status.Members.Should().ContainSingle().Subject;
        member.Status.Should().Be("Up");
        member.Reachable.Should().BeTrue();
        member.EntityTypes.Should().Contain(e => e.Name == "counter" && e.LiveEntities == 20 && e.Shards > 0);
        member.Lanes.Select(l => l.Name).Should().Contain(["cpu", "io"]);

        // The node's spans reach the collector in OTLP/HTTP protobuf (span names are plain UTF-8 in it).
        var export = await collector.WaitForAsync(body => body.Contains("actors.gateway AddToCounter", StringComparison.Ordinal) &&
                                                          body.Contains("actors.journal.write", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        export.Should().Contain("actors.entity counter");

        node.Terminate();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Takes OTLP/HTTP posts to /v1/traces on loopback and keeps their bodies.</summary>
    private sealed class StandInCollector : IDisposable
    {
        private readonly System.Net.HttpListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _bodies = new();

        public StandInCollector(int port)
        {
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body);
                    if (context.Request is { HttpMethod: "POST", Url.AbsolutePath: "/v1/traces", ContentType: "application/x-protobuf" })
                    {
                        _bodies.Enqueue(System.Text.Encoding.UTF8.GetString(body.ToArray()));
                    }

                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        }

        public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan within) =>
            (await Actors.TestSupport.Eventually.UntilAsync(() => Task.FromResult(_bodies.FirstOrDefault(match)), found => found is not null,
                within, "an OTLP export with the node's spans"))!;

        public void Dispose() => _listener.Close();
    }

    [GeneratedRegex(@"health: 1/1 members up, \d+ live entities, \d+ in flight, [1-9][0-9.]* req/s")]
    private static partial Regex HealthUnderLoad();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

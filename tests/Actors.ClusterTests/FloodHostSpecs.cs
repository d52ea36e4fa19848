using System.Globalization;
using System.Text.Json.Nodes;
using Actors.ClusterTests.Support;
using Actors.TestSupport;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>
/// A flood of new persisted keys against a real node process, far past what its journal serves,
/// from the <c>bench</c> verb with retries off (each call one attempt; a refused caller waits the
/// retry-after hint, as the client's retries would). The same node is measured unloaded just
/// before (fresh keys, 50 at once). The flood must get no call unanswered, refusals only as
/// Overloaded, and the requests admitted must stay fast: their p99 within 5x, their throughput
/// at least half of the unloaded run's. The bench's BENCHMARKS.md row runs the same at 50,000.
/// </summary>
[Trait("Category", "Soak")]
[Collection(nameof(FloodHostSpecs))]
public sealed class FloodHostSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(2);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "actors-flood-host", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_flood_of_new_keys_gets_every_call_answered_and_the_admitted_ones_stay_fast()
    {
        Directory.CreateDirectory(_data);
        var port = HostProcess.FreePort();
        using var node = HostProcess.Start(output, "node", "node", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--cluster-port", HostProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--db", $"sqlite:{Path.Combine(_data, "a.db")}");
        await node.WaitForLineAsync("Actors node up", StartTimeout);
        var contact = $"127.0.0.1:{port}";

        // Warm (JIT, connections, thread pool), then unloaded, then the flood: each on keys never seen.
        await BenchAsync(contact, "warm", concurrency: 50, seconds: 3);
        var unloaded = await BenchAsync(contact, "unloaded", concurrency: 50, seconds: 5);
        var logBefore = node.Stdout.Count + node.Stderr.Count;
        var flood = await BenchAsync(contact, "flood", concurrency: 5_000, seconds: 8);
        var logLines = node.Stdout.Count + node.Stderr.Count - logBefore;

        var (okP99, baseP99) = (P99(flood), P99(unloaded));
        var (okRps, baseRps) = (flood["ok_rps"]!.GetValue<double>(), unloaded["ok_rps"]!.GetValue<double>());
        var errors = flood["errors"]!.AsObject().ToDictionary(e => e.Key, e => e.Value!.GetValue<long>());
        Figures.Record(output, FormattableString.Invariant(
            $"flood of new persisted keys (5,000 callers, 8 s, retries off) against a node process: sent {flood["sent"]}, ok {flood["ok"]}, ") +
            FormattableString.Invariant($"Overloaded {errors.GetValueOrDefault("Overloaded")}, unanswered {flood["unanswered"]}; ") +
            FormattableString.Invariant($"ok p99 {okP99:F0} ms vs unloaded {baseP99:F0} ms ({okP99 / baseP99:F2}x), ") +
            FormattableString.Invariant($"ok {okRps:F0}/s vs unloaded {baseRps:F0}/s ({okRps / baseRps:F2}x); node log +{logLines} lines"));

        flood["unanswered"]!.GetValue<long>().Should().Be(0, "every call gets an answer");
        errors.Keys.Should().BeSubsetOf(["Overloaded"], "the node's own load is refused Overloaded, never Unavailable or Timeout");
        errors.GetValueOrDefault("Overloaded").Should().BePositive("a flood past capacity is refused, not queued");
        okP99.Should().BeLessThanOrEqualTo(5 * baseP99, "admitted requests stay within 5x the unloaded p99");
        okRps.Should().BeGreaterThanOrEqualTo(0.5 * baseRps, "admitted requests keep at least half the unloaded throughput");
        logLines.Should().BeLessThan(20, "refusals are counted, not logged one by one");
        node.HasExited.Should().BeFalse();
    }

    private static double P99(JsonObject result) => result["ok_latency_ms"]!["p99"]!.GetValue<double>();

    private async Task<JsonObject> BenchAsync(string contact, string name, int concurrency, int seconds)
    {
        var json = Path.Combine(_data, $"{name}.json");
        var (code, _) = await HostProcess.RunAsync(output, $"bench-{name}", RunLimit,
            "bench", "counter", "--contact", contact, "--keys", "100000000", "--key-prefix", name,
            "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--duration", seconds.ToString(CultureInfo.InvariantCulture),
            "--warmup", "0", "--attempts", "1", "--json", json);
        code.Should().Be(0, $"the {name} run answers every call");
        return JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the node may still hold its files for a moment.
        }
    }
}

/// <summary>The flood measures latency against a run just before it: alone, not beside the other node processes' specs.</summary>
[CollectionDefinition(nameof(FloodHostSpecs), DisableParallelization = true)]
public sealed class FloodHostCollection;

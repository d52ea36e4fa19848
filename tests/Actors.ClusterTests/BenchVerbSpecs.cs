using System.Text.Json.Nodes;
using Actors.ClusterTests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.ClusterTests;

/// <summary>The bench verbs run end to end on tiny sizes; the figures themselves live in BENCHMARKS.md.</summary>
public sealed class BenchVerbSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actors-bench-tests", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("counter", new[] { "--requests", "300", "--concurrency", "20", "--keys", "50", "--warmup", "1", "--baseline" })]
    [InlineData("counter", new[] { "--requests", "300", "--concurrency", "20", "--persist", "off", "--warmup", "0", "--baseline", "--fail-rate", "0.1" })]
    [InlineData("counter", new[] { "--duration", "2s", "--concurrency", "20", "--keys", "50", "--persist", "off", "--warmup", "500ms" })]
    [InlineData("pi", new[] { "--tasks", "40", "--samples", "2000", "--rounds", "2" })]
    [InlineData("sleep", new[] { "--requests", "40", "--ms", "5" })]
    [InlineData("idle", new[] { "--entities", "200", "--idle-seconds", "1" })]
    public async Task A_bench_verb_runs_in_process_and_writes_its_json(string workload, string[] args)
    {
        Directory.CreateDirectory(_folder);
        var json = Path.Combine(_folder, $"{workload}-{Guid.NewGuid():N}.json");

        var (code, _) = await HostProcess.RunAsync(output, "bench", Limit,
            ["bench", workload, "--inproc", "--json", json, .. args]);

        code.Should().Be(0);
        var result = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
        result["sent"]!.GetValue<long>().Should().BePositive();
        result["unanswered"]!.GetValue<long>().Should().Be(0);
        result["answered"]!.GetValue<long>().Should().Be(result["sent"]!.GetValue<long>());
        result["throughput_rps"]!.GetValue<double>().Should().BePositive();
        result["latency_ms"]!["p99"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(result["latency_ms"]!["p50"]!.GetValue<double>());
        result["ok_rps"]!.GetValue<double>().Should().BeLessThanOrEqualTo(result["throughput_rps"]!.GetValue<double>());
        result["ok_latency_ms"]!["p99"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(result["ok_latency_ms"]!["p50"]!.GetValue<double>());
        if (args.Contains("--baseline"))
        {
            result["baseline"]!["sent"]!.GetValue<long>().Should().BePositive();
            result["ratio"]!.GetValue<double>().Should().BePositive();
        }

        if (workload == "pi")
        {
            result["rounds"]!.GetValue<double>().Should().Be(2);
            result["ratio_vs_parallel_for"]!.GetValue<double>().Should().BePositive();
        }

        if (args.Contains("--fail-rate"))
        {
            result["errors"]!["HandlerFailed"]!.GetValue<long>().Should().BePositive();
        }
    }

    [Fact]
    public async Task Bench_against_a_node_in_use_leaves_its_users_counters_alone()
    {
        var port = HostProcess.FreePort();
        var contact = $"127.0.0.1:{port}";
        using var node = HostProcess.Start(output, "node", "node", "--port", port.ToString(), "--cluster-port", HostProcess.FreePort().ToString(),
            "--db", $"sqlite:{Path.Combine(_folder, "actors.db")}");
        await node.WaitForLineAsync("Actors node up", Limit);
        (await HostProcess.RunAsync(output, "send", Limit, "send", "counter", "add", "k0", "60", "--contact", contact)).ExitCode.Should().Be(0);

        var (code, _) = await HostProcess.RunAsync(output, "bench", Limit,
            // The same key names as the user's: bench writes to its own entity type, never to counter.
            "bench", "counter", "--contact", contact, "--requests", "200", "--concurrency", "10", "--keys", "10", "--key-prefix", "k", "--warmup", "1");

        code.Should().Be(0);
        var (_, get) = await HostProcess.RunAsync(output, "send", Limit, "send", "counter", "get", "k0", "--contact", contact);
        get.Stdout.Should().Contain(l => l.StartsWith("counter k0 = 60 ", StringComparison.Ordinal));
        node.Terminate();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("10x")]
    [InlineData("-1")]
    [InlineData("soon")]
    public async Task A_duration_that_is_not_one_is_refused_naming_the_forms_it_takes(string duration)
    {
        var (code, bench) = await HostProcess.RunAsync(output, "bench", Limit, "bench", "counter", "--inproc", "--duration", duration);

        code.Should().NotBe(0);
        bench.Stderr.Concat(bench.Stdout).Should().Contain(l => l.Contains($"'{duration}' is not a duration", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort (also: nothing was written).
        }
    }
}

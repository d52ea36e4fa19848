using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Actors.Hosting;
using Actors.Protocol;
using OpenTelemetry.Trace;
using Spectre.Console;

namespace Actors.Host.Bench;

/// <summary>
/// The <c>bench</c> verb: load from a separate actor system (or <c>--inproc</c>), progress while it
/// runs, then a summary; <c>--json</c> writes the same for scripts; <c>--baseline</c> runs the
/// same load against plain Akka.NET in the same run and prints the ratio.
/// </summary>
internal static partial class BenchCommand
{
    private static readonly Option<string[]> Contacts = SendCommand.ContactOption(recursive: true);
    private static readonly Option<DirectoryInfo?> Tls = TlsOption.Create(recursive: true, Actors.Security.Certificates.ClientFile);

    private static readonly Option<bool> InProc = new("--inproc") { Description = "Start a node inside the bench process", Recursive = true };
    private static readonly Option<string?> Json = new("--json") { Description = "Write the results as JSON to this file", Recursive = true };
    private static readonly Option<double> FailRate = new("--fail-rate") { Description = "Fraction of requests the handler fails (0..1)", Recursive = true };
    private static readonly Option<string?> Db = new("--db") { Description = $"With --inproc: sqlite:path (default a temp file) or postgres (connection from ${NodeOptions.ConnectionVariable})", Recursive = true };
    private static readonly Option<FileInfo?> NodeConfigFile = new("--config")
    {
        Description = "With --inproc: extra HOCON for the node, over hocon/node.conf (as `node --config`), to compare settings",
        Recursive = true,
    };
    private static readonly Option<bool> Trace = new("--trace")
    {
        Description = "Record every request's spans (client and, with --inproc, node) as --otlp-endpoint would, exporting them nowhere: tracing's cost",
        Recursive = true,
    };

    // Lives as long as the bench process: --trace's recording.
    private static OpenTelemetry.Trace.TracerProvider? _tracing;

    private static readonly Option<int?> Attempts = new("--attempts")
    {
        Description = "Attempts per call, as actors.client.retry.max-attempts (1 = no retries: each call measures one attempt; default the client's)",
        Recursive = true,
    };
    private static readonly Option<double> TimeoutSeconds = new("--timeout")
    {
        Description = "Seconds a request may take before it counts as unanswered",
        Recursive = true,
        DefaultValueFactory = _ => 30,
    };

    public static Command Create()
    {
        var bench = new Command("bench", "Measure a workload against a node (or --inproc) and print throughput and latency.");
        foreach (var option in new Option[] { Contacts, Tls, InProc, Json, FailRate, Db, NodeConfigFile, Attempts, TimeoutSeconds, Trace })
        {
            bench.Options.Add(option);
        }

        bench.Subcommands.Add(Counter());
        bench.Subcommands.Add(Pi());
        bench.Subcommands.Add(Sleep());
        bench.Subcommands.Add(Idle());
        return bench;
    }

    private static async Task<BenchTarget?> TargetAsync(ParseResult r, bool persist, string hocon, CancellationToken ct)
    {
        if (r.GetValue(Attempts) is { } attempts)
        {
            hocon += FormattableString.Invariant($"\nactors.client.retry.max-attempts = {Math.Max(1, attempts)}");
        }

        if (r.GetValue(Trace))
        {
            _tracing ??= OpenTelemetry.Sdk.CreateTracerProviderBuilder()
                .AddSource(Actors.Tracing.ActorsTracing.SourceName)
                .AddProcessor(new OpenTelemetry.BatchActivityExportProcessor(new DiscardingExporter()))
                .Build();
        }

        try
        {
            if (r.GetValue(InProc))
            {
                if (r.GetValue(NodeConfigFile) is { } file)
                {
                    hocon += "\n" + await File.ReadAllTextAsync(file.FullName, ct);
                }

                return await BenchTarget.InProcessAsync(r.GetValue(Db), persist, hocon);
            }

            if (!persist && !hocon.Contains("actors.entities", StringComparison.Ordinal))
            {
                AnsiConsole.MarkupLine("[yellow]--persist off against a remote node: start that node with --config hocon/bench-inmem.conf[/]");
            }

            return BenchTarget.Remote(r.GetValue(Contacts)!, hocon, TlsOption.Load(r, Tls, Actors.Security.Certificates.ClientFile));
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return null;
        }
    }

    /// <summary>Connections, JIT tiering (on the node too) and entity start-up before the clock runs: 20,000 requests or 5 s.</summary>
    private static async Task WarmUpAsync(Func<long, Task<CallOutcome>> ours, Func<long, Task<CallOutcome>>? raw, CancellationToken ct)
    {
        foreach (var call in new[] { ours, raw }.OfType<Func<long, Task<CallOutcome>>>())
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(5));
            var sent = 0L;
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
            {
                while (!limit.IsCancellationRequested && Interlocked.Increment(ref sent) <= 20_000)
                {
                    await call(-Interlocked.Read(ref sent));
                }
            }));
        }
    }

    private static async Task<int> ReportAsync(ParseResult r, LoadResult result, LoadResult? baseline, Dictionary<string, double>? extra = null)
    {
        BenchReport.Print(result, baseline, extra?.Select(e => (e.Key, e.Value.ToString("F3", CultureInfo.InvariantCulture))).ToList());
        if (r.GetValue(Json) is { } path)
        {
            await BenchReport.WriteJsonAsync(path, result, baseline, extra);
        }

        return result.Unanswered == 0 && (baseline?.Unanswered ?? 0) == 0 ? 0 : 3;
    }

    private static CallOutcome Outcome(IReply reply) => reply switch
    {
        ErrorReply { Code: ErrorCode.Timeout } => LoadRun.NoReply,
        ErrorReply { Code: ErrorCode.Overloaded, RetryAfter: { } hint } => new CallOutcome(nameof(ErrorCode.Overloaded), hint),
        ErrorReply e => e.Code.ToString(),
        _ => LoadRun.Ok,
    };

    private static (long? Requests, TimeSpan? Duration) Amount(long? requests, TimeSpan? duration) =>
        requests is { } n ? (n, null) : (null, duration ?? TimeSpan.FromSeconds(15));

    private static TimeSpan Timeout(ParseResult r) => TimeSpan.FromSeconds(r.GetValue(TimeoutSeconds));

    /// <summary>The process' working set after a full, compacting collection that returns free memory to the OS.</summary>
    private static long WorkingSet()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    /// <summary>An exporter that drops what it is given: --trace measures recording and batching, not a collector.</summary>
    private sealed class DiscardingExporter : OpenTelemetry.BaseExporter<System.Diagnostics.Activity>
    {
        public override OpenTelemetry.ExportResult Export(in OpenTelemetry.Batch<System.Diagnostics.Activity> batch) => OpenTelemetry.ExportResult.Success;
    }
}

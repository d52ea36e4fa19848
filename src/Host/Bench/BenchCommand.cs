using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Actors.Handlers;
using Actors.Hosting;
using Actors.Protocol;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Spectre.Console;

namespace Actors.Host.Bench;

/// <summary>
/// The <c>bench</c> verb: load from a separate actor system (or <c>--inproc</c>), progress while it
/// runs, then a summary; <c>--json</c> writes the same for scripts; <c>--baseline</c> runs the
/// same load against plain Akka.NET in the same run and prints the ratio.
/// </summary>
internal static class BenchCommand
{
    private static readonly Option<string[]> Contacts = SendCommand.ContactOption(recursive: true);
    private static readonly Option<DirectoryInfo?> Tls = TlsOption.Create(recursive: true, Actors.Security.Certificates.ClientFile);

    private static readonly Option<bool> InProc = new("--inproc") { Description = "Start a node inside the bench process", Recursive = true };
    private static readonly Option<string?> Json = new("--json") { Description = "Write the results as JSON to this file", Recursive = true };
    private static readonly Option<double> FailRate = new("--fail-rate") { Description = "Fraction of requests the handler fails (0..1)", Recursive = true };
    private static readonly Option<string?> Db = new("--db") { Description = $"With --inproc: sqlite:path (default a temp file) or postgres (connection from ${NodeOptions.ConnectionVariable})", Recursive = true };
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
        foreach (var option in new Option[] { Contacts, Tls, InProc, Json, FailRate, Db, Attempts, TimeoutSeconds })
        {
            bench.Options.Add(option);
        }

        bench.Subcommands.Add(Counter());
        bench.Subcommands.Add(Pi());
        bench.Subcommands.Add(Sleep());
        bench.Subcommands.Add(Idle());
        return bench;
    }

    private static Command Counter()
    {
        var keys = new Option<int>("--keys") { DefaultValueFactory = _ => 10_000, Description = "Distinct counter keys" };
        var prefix = new Option<string>("--key-prefix")
        {
            DefaultValueFactory = _ => "k",
            Description = "Keys are this + a number; a new prefix gives keys the node has never seen (fresh entities)",
        };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 1000, Description = "Requests outstanding at once" };
        var requests = new Option<long?>("--requests") { Description = "Requests to send (or --duration)" };
        var duration = new Option<double?>("--duration") { Description = "Seconds to run (default 15 when --requests is absent)" };
        var persist = new Option<string>("--persist") { DefaultValueFactory = _ => "on", Description = "on: journaled counter; off: in-memory journal" };
        persist.AcceptOnlyFromAmong("on", "off");
        var baseline = new Option<bool>("--baseline") { Description = "Run the same load against plain Akka.NET in the same run" };
        var batch = new Option<int>("--batch")
        {
            // The client's own default (hocon/client.conf), so a plain run measures what users get.
            DefaultValueFactory = _ => ActorsConfig.Client.GetInt("actors.client.batch.max-size"),
            Description = "Client batch max size, as actors.client.batch.max-size (1 = no batching; default the client's)",
        };
        var warmup = new Option<double>("--warmup")
        {
            DefaultValueFactory = _ => 5,
            Description = "Seconds of load on each side before measuring, after every key was touched once (0 = measure from cold)",
        };
        var window = new Option<int?>("--window")
        {
            Description = "Ordered map of --requests with this many outstanding, against the same requests fired all at once (Task.WhenAll)",
        };
        var command = new Command("counter", "Adds to counter entities; each request awaits its reply.")
            { keys, prefix, concurrency, requests, duration, persist, baseline, batch, window, warmup };
        command.SetAction(async (r, ct) =>
        {
            var persistOn = r.GetValue(persist) == "on";
            var keyCount = Math.Max(1, r.GetValue(keys));
            var keyPrefix = r.GetValue(prefix)!;
            var (count, time) = Amount(r.GetValue(requests), r.GetValue(duration));
            var failRate = r.GetValue(FailRate);
            var clientHocon = FormattableString.Invariant($"actors.client.batch.max-size = {Math.Max(1, r.GetValue(batch))}");
            await using var target = await TargetAsync(r, persistOn, clientHocon, ct);
            if (target is null)
            {
                return 1;
            }

            var client = target.Client;
            var timeout = Timeout(r);
            if (r.GetValue(window) is { } outstanding)
            {
                return await MapVersusWhenAllAsync(r, target, count ?? 100_000, outstanding, keyCount, timeout, ct);
            }

            var runs = (r.GetValue(concurrency), count, time);
            Func<long, Task<CallOutcome>> ours = async i =>
                Outcome(await client.SendAsync(new AddToCounter(client.NewRequestId(), $"{keyPrefix}{i % keyCount}", 1, failRate), timeout, ct));
            Func<long, Task<CallOutcome>> raw = async i =>
            {
                try
                {
                    await target.BaselineAddAsync(new BaselineAdd(i, $"{keyPrefix}{i % keyCount}", 1), persistOn, timeout);
                    return LoadRun.Ok;
                }
                catch (Exception e) when (e is TimeoutException or AskTimeoutException)
                {
                    return LoadRun.NoReply;
                }
            };

            var name = $"counter ({(target.InProcess ? "in-process" : "remote")}, persist {(persistOn ? "on" : "off")}, " +
                       $"{keyCount} keys, {runs.Item1} outstanding, batch {r.GetValue(batch)})";
            var warmSeconds = r.GetValue(warmup);
            if (warmSeconds > 0)
            {
                // Both sides are measured warm: every key's entity started (or recovered from the
                // journal) once, code tiered up, thread pool grown to the load. Same for each side.
                foreach (var (side, call) in r.GetValue(baseline) ? new[] { ("", ours), (" baseline", raw) } : new[] { ("", ours) })
                {
                    await LoadRun.RunAsync($"warm-up{side}: every key once", call, runs.Item1, keyCount, null, ct);
                    await LoadRun.RunAsync($"warm-up{side}", call, runs.Item1, null, TimeSpan.FromSeconds(warmSeconds), ct);
                }
            }
            else
            {
                await WarmUpAsync(ours, r.GetValue(baseline) ? raw : null, ct);
            }

            var result = await LoadRun.RunAsync(name, ours, runs.Item1, runs.count, runs.time, ct);
            var reference = r.GetValue(baseline) ? await LoadRun.RunAsync(name + " baseline", raw, runs.Item1, runs.count, runs.time, ct) : null;
            return await ReportAsync(r, result, reference);
        });
        return command;
    }

    /// <summary>
    /// The same adds twice: through <see cref="Actors.Client.ActorsClient.MapAsync"/> with a window,
    /// and fired all at once with Task.WhenAll. Throughput of each, and the ratio.
    /// </summary>
    private static async Task<int> MapVersusWhenAllAsync(ParseResult r, BenchTarget target, long count, int window, int keys,
        TimeSpan timeout, CancellationToken ct)
    {
        var client = target.Client;
        IRequest[] Requests() => Enumerable.Range(0, (int)count)
            .Select(i => (IRequest)new AddToCounter(client.NewRequestId(), $"k{i % keys}", 1)).ToArray();
        await WarmUpAsync(async _ => Outcome(await client.SendAsync(new AddToCounter(client.NewRequestId(), "warm", 1), timeout, ct)), null, ct);

        // Each way once unmeasured (entities started, code tiered, thread pool grown), then measured.
        LoadResult map = null!, all = null!;
        for (var pass = 0; pass < 2; pass++)
        {
            var mapped = Requests();
            var clock = Stopwatch.StartNew();
            var mapReplies = await client.MapAsync(mapped, window, timeout, ct);
            map = Summary($"counter ordered map ({count} adds, window {window})", mapReplies, clock.Elapsed);

            var fired = Requests();
            clock.Restart();
            var allReplies = await Task.WhenAll(fired.Select(q => client.SendAsync(q, timeout, ct)));
            all = Summary($"counter Task.WhenAll ({count} adds, unbounded)", allReplies, clock.Elapsed);
        }

        return await ReportAsync(r, map, all);

        static LoadResult Summary(string name, IEnumerable<IReply> replies, TimeSpan wall)
        {
            var outcomes = replies.GroupBy(reply => Outcome(reply).Code).ToDictionary(g => g.Key, g => (long)g.LongCount());
            var sent = outcomes.Values.Sum();
            var none = outcomes.GetValueOrDefault(LoadRun.NoReply);
            return new LoadResult(name, sent, sent - none, outcomes.GetValueOrDefault(LoadRun.Ok), none,
                outcomes.Where(o => o.Key is not (LoadRun.Ok or LoadRun.NoReply)).ToDictionary(o => o.Key, o => o.Value),
                sent / wall.TotalSeconds, 0, 0, 0, wall.TotalSeconds, outcomes.GetValueOrDefault(LoadRun.Ok) / wall.TotalSeconds, 0, 0, 0);
        }
    }

    private static Command Pi()
    {
        var tasks = new Option<int>("--tasks") { DefaultValueFactory = _ => 2000, Description = "Number of tasks" };
        var samples = new Option<long>("--samples") { DefaultValueFactory = _ => 50_000, Description = "Samples per task" };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 256, Description = "Tasks outstanding at once" };
        var rounds = new Option<int>("--rounds")
        {
            DefaultValueFactory = _ => 3,
            Description = "Rounds of Parallel.For then the lane, alternating; the medians are compared",
        };
        var command = new Command("pi", "Monte Carlo pi in tasks on the cpu lane, against the same tasks serially and with Parallel.For.")
            { tasks, samples, concurrency, rounds };
        command.SetAction(async (r, ct) =>
        {
            var taskCount = r.GetValue(tasks);
            var m = r.GetValue(samples);
            var roundCount = Math.Max(1, r.GetValue(rounds));
            await using var target = await TargetAsync(r, persist: true, "", ct);
            if (target is null)
            {
                return 1;
            }

            // The same work three ways, in this one run, each after the JIT has settled.
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 500)
            {
                Parallel.For(0, 64, _ => PiHandler.CountInside(Math.Min(m, 10_000)));
            }

            var serial = Stopwatch.StartNew();
            for (var i = 0; i < taskCount; i++)
            {
                PiHandler.CountInside(m);
            }

            serial.Stop();

            var client = target.Client;
            var timeout = Timeout(r);
            var failRate = r.GetValue(FailRate);
            Func<long, Task<CallOutcome>> ours = async _ =>
                Outcome(await client.SendAsync(new EstimatePi(client.NewRequestId(), m, failRate), timeout, ct));
            await WarmUpAsync(ours, null, ct);

            // Parallel.For and the lane alternate, so a noisy moment of the shared machine falls
            // on both; each side's median round is compared.
            var parallelRounds = new List<double>();
            var laneRounds = new List<LoadResult>();
            for (var round = 1; round <= roundCount; round++)
            {
                var parallel = Stopwatch.StartNew();
                Parallel.For(0, taskCount, _ => PiHandler.CountInside(m));
                parallelRounds.Add(parallel.Elapsed.TotalSeconds);
                laneRounds.Add(await LoadRun.RunAsync(
                    $"pi ({(target.InProcess ? "in-process" : "remote")}, {taskCount} tasks x {m} samples, round {round}/{roundCount})",
                    ours, Math.Min(r.GetValue(concurrency), taskCount), taskCount, null, ct));
            }

            var parallelFor = Median(parallelRounds);
            var result = laneRounds.OrderBy(x => x.WallSeconds).ElementAt(laneRounds.Count / 2);
            var lane = result.WallSeconds;
            var extra = new Dictionary<string, double>
            {
                ["serial_s"] = serial.Elapsed.TotalSeconds,
                ["parallel_for_s"] = parallelFor,
                ["lane_s"] = lane,
                ["lane_speedup_vs_serial"] = serial.Elapsed.TotalSeconds / lane,
                ["parallel_for_speedup_vs_serial"] = serial.Elapsed.TotalSeconds / parallelFor,
                ["ratio_vs_parallel_for"] = parallelFor / lane,
                ["rounds"] = roundCount,
            };
            for (var i = 0; i < roundCount; i++)
            {
                extra[$"round_{i + 1}_parallel_for_s"] = parallelRounds[i];
                extra[$"round_{i + 1}_lane_s"] = laneRounds[i].WallSeconds;
            }

            return await ReportAsync(r, result, null, extra);
        });
        return command;

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    }

    private static Command Sleep()
    {
        var ms = new Option<int>("--ms") { DefaultValueFactory = _ => 50, Description = "Milliseconds each request awaits" };
        var requests = new Option<long>("--requests") { DefaultValueFactory = _ => 1000, Description = "Requests to send" };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 1000, Description = "Requests outstanding at once" };
        var command = new Command("sleep", "The io lane's async workload: each request awaits --ms without holding a thread.")
            { ms, requests, concurrency };
        command.SetAction(async (r, ct) =>
        {
            await using var target = await TargetAsync(r, persist: true, "", ct);
            if (target is null)
            {
                return 1;
            }

            var client = target.Client;
            var timeout = Timeout(r);
            var delay = r.GetValue(ms);
            var failRate = r.GetValue(FailRate);
            Func<long, Task<CallOutcome>> ours = async _ =>
                Outcome(await client.SendAsync(new SleepFor(client.NewRequestId(), delay, failRate), timeout, ct));
            await WarmUpAsync(async i => Outcome(await client.SendAsync(new SleepFor(client.NewRequestId(), 0), timeout, ct)), null, ct);
            var count = r.GetValue(requests);
            var result = await LoadRun.RunAsync($"sleep ({(target.InProcess ? "in-process" : "remote")}, {count} x {delay} ms)",
                ours, (int)Math.Min(r.GetValue(concurrency), count), count, null, ct);
            var serial = count * delay / 1000.0;
            return await ReportAsync(r, result, null, new Dictionary<string, double>
            {
                ["serial_s"] = serial,
                ["speedup_vs_serial"] = serial / result.WallSeconds,
            });
        });
        return command;
    }

    private static Command Idle()
    {
        var entities = new Option<int>("--entities") { DefaultValueFactory = _ => 100_000, Description = "Entities to create" };
        var idle = new Option<double>("--idle-seconds") { DefaultValueFactory = _ => 5, Description = "Entity idle timeout for the run" };
        var command = new Command("idle", "Creates entities, waits for passivation, prints the node's working set before, at the peak and after (--inproc).")
            { entities, idle };
        command.SetAction(async (r, ct) =>
        {
            if (!r.GetValue(InProc))
            {
                await Console.Error.WriteLineAsync("error: bench idle reads the node's memory, so it needs --inproc");
                return 1;
            }

            var hocon = FormattableString.Invariant($"actors.entities.counter {{ idle-timeout = {r.GetValue(idle)}s, max-live = 0 }}");
            await using var target = await TargetAsync(r, persist: false, hocon, ct);
            if (target is null)
            {
                return 1;
            }

            var client = target.Client;
            var timeout = Timeout(r);
            var count = r.GetValue(entities);
            var before = WorkingSet();
            var result = await LoadRun.RunAsync($"idle ({count} entities)",
                async i => Outcome(await client.SendAsync(new AddToCounter(client.NewRequestId(), $"idle-{i}", 1), timeout, ct)),
                256, count, null, ct);
            var peak = WorkingSet();
            var region = ClusterSharding.Get(target.System).ShardRegion("counter");
            var waited = Stopwatch.StartNew();
            while (await LiveEntities(region) > 0 && waited.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(500, ct);
            }

            var after = WorkingSet();
            const double mb = 1024 * 1024;
            return await ReportAsync(r, result, null, new Dictionary<string, double>
            {
                ["working_set_before_mb"] = before / mb,
                ["working_set_peak_mb"] = peak / mb,
                ["working_set_after_mb"] = after / mb,
                ["bytes_per_live_entity"] = (peak - before) / (double)count,
                ["passivation_wait_s"] = waited.Elapsed.TotalSeconds,
            });
        });
        return command;
    }

    private static async Task<BenchTarget?> TargetAsync(ParseResult r, bool persist, string hocon, CancellationToken ct)
    {
        if (r.GetValue(Attempts) is { } attempts)
        {
            hocon += FormattableString.Invariant($"\nactors.client.retry.max-attempts = {Math.Max(1, attempts)}");
        }

        try
        {
            if (r.GetValue(InProc))
            {
                return await BenchTarget.InProcessAsync(r.GetValue(Db), persist, hocon);
            }

            if (!persist && !hocon.Contains("actors.entities", StringComparison.Ordinal))
            {
                AnsiConsole.MarkupLine("[yellow]--persist off against a remote node: start that node with --config hocon/counter-inmem.conf[/]");
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

    private static (long? Requests, TimeSpan? Duration) Amount(long? requests, double? seconds) =>
        requests is { } n ? (n, null) : (null, TimeSpan.FromSeconds(seconds ?? 15));

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

    private static async Task<int> LiveEntities(IActorRef region)
    {
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.Sum(s => s.EntityIds.Count);
    }
}

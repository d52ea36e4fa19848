using System.CommandLine;
using System.Diagnostics;
using Actors.Hosting;
using Actors.Protocol;
using Akka.Actor;
using Spectre.Console;

namespace Actors.Host.Bench;

/// <summary> <c>bench counter</c>: adds and reads on the counter entity, in memory or persisted. </summary>
internal static partial class BenchCommand
{
    // The counter keys bench writes to unless told otherwise: none a user would pick.
    private const string BenchKeys = "bench-k";

    // Longest the "every key once" warm-up may take before the timed warm-up starts anyway.
    private static readonly TimeSpan TouchAtMost = TimeSpan.FromSeconds(30);

    private static Command Counter()
    {
        var keys = new Option<int>("--keys") { DefaultValueFactory = _ => 10_000, Description = "Distinct counter keys" };
        var prefix = new Option<string>("--key-prefix")
        {
            // Keys of their own by default, so a bench against a node in use never adds to its users' counters.
            DefaultValueFactory = _ => BenchKeys,
            Description = "Keys are this + a number; a new prefix gives keys the node has never seen (fresh entities)",
        };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 1000, Description = "Requests outstanding at once" };
        var requests = new Option<long?>("--requests") { Description = "Requests to send (or --duration)" };
        var duration = new Option<TimeSpan?>("--duration")
        {
            CustomParser = Durations.Parse,
            Description = "How long to run: seconds, or 10s, 1m (default 15 s when --requests is absent)",
        };
        var persist = new Option<string>("--persist") { DefaultValueFactory = _ => "on", Description = "on: journaled counter; off: in-memory journal" };
        persist.AcceptOnlyFromAmong("on", "off");
        var baseline = new Option<bool>("--baseline") { Description = "Run the same load against plain Akka.NET in the same run" };
        var batch = new Option<int>("--batch")
        {
            // The client's own default (hocon/client.conf), so a plain run measures what users get.
            DefaultValueFactory = _ => ActorsConfig.Client.GetInt("actors.client.batch.max-size"),
            Description = "Client batch max size, as actors.client.batch.max-size (1 = no batching; default the client's)",
        };
        var warmup = new Option<TimeSpan>("--warmup")
        {
            DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
            CustomParser = r => Durations.Parse(r) ?? TimeSpan.Zero,
            Description = "Load on each side before measuring (seconds, or 10s, 1m), after every key was touched once (0 = measure from cold)",
        };
        var window = new Option<int?>("--window")
        {
            Description = "Ordered map of --requests with this many outstanding, against the same requests fired all at once (Task.WhenAll)",
        };
        var read = new Option<bool>("--read")
        {
            // The counter type's GetCounter: on keys the node has never seen, the warm-up's "every key
            // once" is one entity recovery (journal and snapshot reads) per call, and no write.
            Description = "Read (GetCounter on the counter type) instead of adding: with a new --key-prefix, the warm-up's \"every key once\" rate is recoveries/s",
        };
        var command = new Command("counter", "Adds to counter entities; each request awaits its reply.")
            { keys, prefix, concurrency, requests, duration, persist, baseline, batch, window, warmup, read };
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
            var reads = r.GetValue(read);
            Func<long, Task<CallOutcome>> ours = async i => Outcome(await client.SendAsync(reads
                ? new GetCounter(client.NewRequestId(), $"{keyPrefix}{i % keyCount}")
                : new BenchAdd(client.NewRequestId(), $"{keyPrefix}{i % keyCount}", 1, failRate), timeout, ct));
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

            var name = $"counter {(reads ? "reads" : "adds")} ({(target.InProcess ? "in-process" : "remote")}, persist {(persistOn ? "on" : "off")}, " +
                       $"{keyCount} keys, {runs.Item1} outstanding, batch {r.GetValue(batch)})";
            var warm = r.GetValue(warmup);
            if (warm > TimeSpan.Zero)
            {
                // Both sides are measured warm: every key's entity started (or recovered from the
                // journal) once, code tiered up, thread pool grown to the load. Same for each side.
                foreach (var (side, call) in r.GetValue(baseline) ? new[] { ("", ours), (" baseline", raw) } : new[] { ("", ours) })
                {
                    // Bounded: fresh persisted keys recover at a few hundred a second on a small machine.
                    await LoadRun.RunAsync($"warm-up{side}: every key once (at most {TouchAtMost.TotalSeconds:0} s)", call, runs.Item1, keyCount,
                        TouchAtMost, ct);
                    await LoadRun.RunAsync($"warm-up{side}", call, runs.Item1, null, warm, ct);
                }
            }
            else
            {
                await WarmUpAsync(ours, r.GetValue(baseline) ? raw : null, ct);
            }

            // In process on SQLite, our journal's commits (one fsync each) are counted during our side
            // (the baseline's stock plugin has its own file and no counter: BaselineJournal).
            var commits = target.InProcess ? target.System.Settings.Setup.Get<SqliteDurability>() : Akka.Util.Option<SqliteDurability>.None;
            long Commits() => commits.HasValue ? commits.Value.Commits(SqliteDurability.JournalPlugin) : 0;
            // On PostgreSQL, the server's writing transactions (journal batches and snapshots).
            var postgres = persistOn ? target.Postgres : null;
            var before = postgres is null ? Commits() : await postgres.NextWritingTransactionAsync();
            LoadResult result;
            double? rowsPerTransaction;
            using (var transactionRows = new TransactionRows())
            {
                result = await LoadRun.RunAsync(name, ours, runs.Item1, runs.count, runs.time, ct);
                rowsPerTransaction = transactionRows.PerTransaction;
            }

            var extra = postgres is not null ? JournalFigures(result, await postgres.NextWritingTransactionAsync() - before)
                : persistOn && commits.HasValue ? JournalFigures(result, Commits() - before) : null;
            if (target.InProcess && rowsPerTransaction is { } perTransaction)
            {
                (extra ??= [])["journal_rows_per_transaction"] = perTransaction;
            }
            if (postgres is not null)
            {
                postgres.AddTo(extra ??= []);
                if (!postgres.Durable)
                {
                    AnsiConsole.MarkupLine("[yellow]server fsync/synchronous_commit off: not durable writes[/]");
                }
            }
            var reference = r.GetValue(baseline) ? await LoadRun.RunAsync(name + " baseline", raw, runs.Item1, runs.count, runs.time, ct) : null;
            return await ReportAsync(r, result, reference, extra);
        });
        return command;
    }

    /// <summary>Our journal's commits per second and acknowledged adds per commit (what group commit gathers).</summary>
    private static Dictionary<string, double> JournalFigures(LoadResult ours, long commits) => new()
    {
        ["journal_commits_per_s"] = commits / ours.WallSeconds,
        ["adds_per_commit"] = ours.Ok / (double)Math.Max(1, commits),
    };

    /// <summary>
    /// The same adds twice: through <see cref="Actors.Client.ActorsClient.MapAsync"/> with a window,
    /// and fired all at once with Task.WhenAll. Throughput of each, and the ratio.
    /// </summary>
    private static async Task<int> MapVersusWhenAllAsync(ParseResult r, BenchTarget target, long count, int window, int keys,
        TimeSpan timeout, CancellationToken ct)
    {
        var client = target.Client;
        IRequest[] Requests() => Enumerable.Range(0, (int)count)
            .Select(i => (IRequest)new BenchAdd(client.NewRequestId(), $"{BenchKeys}{i % keys}", 1)).ToArray();
        await WarmUpAsync(async _ => Outcome(await client.SendAsync(new BenchAdd(client.NewRequestId(), $"{BenchKeys}warm", 1), timeout, ct)), null, ct);

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
}

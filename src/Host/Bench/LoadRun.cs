using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using Spectre.Console;

namespace Actors.Host.Bench;

/// <summary>One measured run: what was sent, what came back, how fast, how long it took.</summary>
public sealed record LoadResult(
    string Workload,
    long Sent,
    long Answered,
    long Ok,
    long Unanswered,
    IReadOnlyDictionary<string, long> Errors,
    double ThroughputRps,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double WallSeconds,
    double OkRps,
    double OkP50Ms,
    double OkP99Ms,
    double OkP999Ms);

/// <summary>
/// What one call came to: its outcome code, and how long its caller pauses before the next call
/// (an Overloaded answer's retry-after: a caller honours it, as the client's own retries do).
/// </summary>
internal readonly record struct CallOutcome(string Code, TimeSpan Pause = default)
{
    public static implicit operator CallOutcome(string code) => new(code);
}

/// <summary>
/// A closed-loop load: <c>concurrency</c> callers, each sending its next request when the
/// previous one is answered, until <c>requests</c> are sent or <c>duration</c> is over.
/// A caller refused Overloaded pauses for the refusal's retry-after before its next call (not
/// measured). Latency goes into an HdrHistogram (microseconds), that of successes into one of its own (a
/// refusal answered at once would flatter the overall figures), outcomes are counted by code.
/// </summary>
internal static class LoadRun
{
    /// <summary>The outcome code of a success.</summary>
    public const string Ok = "ok";

    /// <summary>The outcome code of a request that got no reply from the node in time.</summary>
    public const string NoReply = "Timeout";

    public static async Task<LoadResult> RunAsync(string workload, Func<long, Task<CallOutcome>> call, int concurrency,
        long? requests, TimeSpan? duration, CancellationToken ct)
    {
        var histogram = new LongConcurrentHistogram(1, 600_000_000, 3);
        var okHistogram = new LongConcurrentHistogram(1, 600_000_000, 3);
        var outcomes = new ConcurrentDictionary<string, long>();
        long next = 0, answered = 0;
        var clock = Stopwatch.StartNew();
        var limit = requests ?? long.MaxValue;
        var until = duration is { } d ? d : TimeSpan.MaxValue;

        async Task Caller()
        {
            while (!ct.IsCancellationRequested && clock.Elapsed < until)
            {
                var i = Interlocked.Increment(ref next);
                if (i > limit)
                {
                    Interlocked.Decrement(ref next);
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                var (outcome, pause) = await call(i).ConfigureAwait(false);
                var micros = Math.Max(1, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                histogram.RecordValue(micros);
                if (outcome == Ok)
                {
                    okHistogram.RecordValue(micros);
                }

                outcomes.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
                Interlocked.Increment(ref answered);
                var left = until - clock.Elapsed;
                if (pause > TimeSpan.Zero && left > TimeSpan.Zero)
                {
                    // Up to +50% jitter, as the client's retries: callers refused together do not come back together.
                    pause += TimeSpan.FromTicks((long)(pause.Ticks * 0.5 * Random.Shared.NextDouble()));
                    await Task.Delay(pause < left ? pause : left, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }

        var callers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(Caller, ct)).ToArray();
        await Progress.ShowAsync(workload, Task.WhenAll(callers), () => (Interlocked.Read(ref answered), requests, clock.Elapsed,
            outcomes.Where(o => o.Key != Ok).Sum(o => o.Value)));
        clock.Stop();

        var sent = Interlocked.Read(ref next);
        var ok = outcomes.GetValueOrDefault(Ok);
        var errors = outcomes.Where(o => o.Key != Ok && o.Key != NoReply).ToDictionary(o => o.Key, o => o.Value);
        var unanswered = outcomes.GetValueOrDefault(NoReply);
        return new LoadResult(workload, sent, answered - unanswered, ok, unanswered, errors,
            answered / clock.Elapsed.TotalSeconds,
            Ms(histogram, 50),
            Ms(histogram, 99),
            Ms(histogram, 99.9),
            clock.Elapsed.TotalSeconds,
            ok / clock.Elapsed.TotalSeconds,
            Ms(okHistogram, 50),
            Ms(okHistogram, 99),
            Ms(okHistogram, 99.9));

        // An empty histogram (no success at all) has no percentiles: 0.
        static double Ms(HistogramBase h, double percentile) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;
    }
}

/// <summary>Live progress while a run goes: a bar on a terminal, a line a second otherwise.</summary>
internal static class Progress
{
    public static async Task ShowAsync(string workload, Task run, Func<(long Answered, long? Total, TimeSpan Elapsed, long Errors)> read)
    {
        string Line()
        {
            var (answered, _, elapsed, errors) = read();
            var rate = elapsed.TotalSeconds > 0 ? answered / elapsed.TotalSeconds : 0;
            return FormattableString.Invariant($"{workload}: {answered:N0} answered, {rate:N0} req/s, {errors:N0} errors, {elapsed.TotalSeconds:F1} s");
        }

        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            while (await Task.WhenAny(run, Task.Delay(1000)) != run)
            {
                Console.WriteLine(Line());
            }

            await run;
            // The whole run's rate (the line a second above misses up to a second at the end).
            Console.WriteLine(Line() + ", done");
            return;
        }

        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var (_, total, _, _) = read();
                var bar = context.AddTask(workload, maxValue: total ?? 100);
                while (await Task.WhenAny(run, Task.Delay(250)) != run)
                {
                    var (answered, _, elapsed, _) = read();
                    bar.Description = Markup.Escape(Line());
                    bar.Value = total is null ? Math.Min(99, elapsed.TotalSeconds) : answered;
                }

                bar.Value = bar.MaxValue;
                await run;
            });
    }
}

using System.CommandLine;
using System.Diagnostics;
using Actors.Handlers;
using Actors.Protocol;

namespace Actors.Host.Bench;

/// <summary> <c>bench pi</c> and <c>bench sleep</c>: the cpu and io lanes. </summary>
internal static partial class BenchCommand
{
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
}

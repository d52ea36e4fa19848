using System.CommandLine;
using System.Diagnostics;
using Actors.Protocol;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Spectre.Console;

namespace Actors.Host.Bench;

/// <summary> <c>bench idle</c>: what idle entities cost and how they passivate. </summary>
internal static partial class BenchCommand
{
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

            var hocon = FormattableString.Invariant($"actors.entities.bench {{ idle-timeout = {r.GetValue(idle)}s, max-live = 0 }}");
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
                async i => Outcome(await client.SendAsync(new BenchAdd(client.NewRequestId(), $"idle-{i}", 1), timeout, ct)),
                256, count, null, ct);
            var peak = WorkingSet();
            var region = ClusterSharding.Get(target.System).ShardRegion("bench");
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

    private static async Task<int> LiveEntities(IActorRef region)
    {
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.Sum(s => s.EntityIds.Count);
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Actors.Host.Bench;

/// <summary>The summary a person reads, and the same figures as JSON for scripts.</summary>
internal static class BenchReport
{
    public static void Print(LoadResult ours, LoadResult? baseline, IReadOnlyList<(string Label, string Value)>? extra = null)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(ours.Workload));
        table.AddColumn("");
        table.AddColumn(new TableColumn("Actors").RightAligned());
        if (baseline is not null)
        {
            table.AddColumn(new TableColumn("baseline").RightAligned());
            table.AddColumn(new TableColumn("ratio").RightAligned());
        }

        void Row(string label, Func<LoadResult, double> value, string format, bool ratio = false)
        {
            var cells = new List<string> { label, value(ours).ToString(format, CultureInfo.InvariantCulture) };
            if (baseline is not null)
            {
                cells.Add(value(baseline).ToString(format, CultureInfo.InvariantCulture));
                cells.Add(ratio && value(baseline) > 0 ? (value(ours) / value(baseline)).ToString("F2", CultureInfo.InvariantCulture) + "x" : "");
            }

            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        Row("sent", r => r.Sent, "N0");
        Row("answered", r => r.Answered, "N0");
        Row("ok", r => r.Ok, "N0");
        Row("unanswered", r => r.Unanswered, "N0");
        Row("requests/s", r => r.ThroughputRps, "N0", ratio: true);
        Row("p50 ms", r => r.P50Ms, "F2", ratio: true);
        Row("p99 ms", r => r.P99Ms, "F2", ratio: true);
        Row("p99.9 ms", r => r.P999Ms, "F2", ratio: true);
        Row("ok/s", r => r.OkRps, "N0", ratio: true);
        Row("ok p50 ms", r => r.OkP50Ms, "F2", ratio: true);
        Row("ok p99 ms", r => r.OkP99Ms, "F2", ratio: true);
        Row("wall s", r => r.WallSeconds, "F2");
        AnsiConsole.Write(table);
        var errors = string.Join(", ", ours.Errors.Select(e => $"{e.Key} {e.Value:N0}"));
        AnsiConsole.WriteLine($"errors by code: {(errors.Length == 0 ? "none" : errors)}");
        foreach (var (label, value) in extra ?? [])
        {
            AnsiConsole.WriteLine($"{label}: {value}");
        }
    }

    public static async Task WriteJsonAsync(string path, LoadResult ours, LoadResult? baseline, IReadOnlyDictionary<string, double>? extra = null)
    {
        var json = ToJson(ours);
        if (baseline is not null)
        {
            json["baseline"] = ToJson(baseline);
            json["ratio"] = baseline.ThroughputRps > 0 ? ours.ThroughputRps / baseline.ThroughputRps : null;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, double>())
        {
            json[key] = value;
        }

        await File.WriteAllTextAsync(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject ToJson(LoadResult r) => new()
    {
        ["workload"] = r.Workload,
        ["sent"] = r.Sent,
        ["answered"] = r.Answered,
        ["ok"] = r.Ok,
        ["unanswered"] = r.Unanswered,
        ["errors"] = new JsonObject(r.Errors.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
        ["throughput_rps"] = r.ThroughputRps,
        ["latency_ms"] = new JsonObject { ["p50"] = r.P50Ms, ["p99"] = r.P99Ms, ["p999"] = r.P999Ms },
        ["wall_s"] = r.WallSeconds,
        // Successful requests only: what a caller that got its result saw.
        ["ok_rps"] = r.OkRps,
        ["ok_latency_ms"] = new JsonObject { ["p50"] = r.OkP50Ms, ["p99"] = r.OkP99Ms, ["p999"] = r.OkP999Ms },
    };
}

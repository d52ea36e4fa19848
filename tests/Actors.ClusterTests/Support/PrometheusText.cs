using System.Globalization;
using System.Text.RegularExpressions;

namespace Actors.ClusterTests.Support;

/// <summary>A node's <c>/metrics</c> page in Prometheus' text format, as (name, labels, value) samples.</summary>
internal static partial class PrometheusText
{
    public static async Task<List<(string Name, string Labels, double Value)>> ScrapeAsync(int metricsPort)
    {
        using var http = new HttpClient();
        return Parse(await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics"));
    }

    public static List<(string Name, string Labels, double Value)> Parse(string text) =>
        text.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => Sample().Match(l))
            .Where(m => m.Success)
            .Select(m => (m.Groups["name"].Value, m.Groups["labels"].Value,
                double.Parse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture)))
            .ToList();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();
}

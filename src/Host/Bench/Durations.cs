using System.CommandLine.Parsing;
using System.Globalization;

namespace Actors.Host.Bench;

/// <summary>Time on the command line: seconds as a plain number (<c>10</c>, <c>2.5</c>) or with a unit (<c>500ms</c>, <c>10s</c>, <c>1m</c>).</summary>
internal static class Durations
{
    public static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        if (TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration: give seconds (10, 2.5) or a number with ms, s or m (500ms, 10s, 1m)");
        return null;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') || text.EndsWith('S') ? (text[..^1], 1.0)
            : text.EndsWith('m') || text.EndsWith('M') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0 && amount * unit <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            value = TimeSpan.FromSeconds(amount * unit);
            return true;
        }

        value = default;
        return false;
    }
}

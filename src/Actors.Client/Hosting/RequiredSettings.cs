using Akka.Configuration;

namespace Actors.Hosting;

/// <summary>
/// Reads a setting that hocon/ must hold: the files are always beneath what a user sets
/// (<see cref="ActorsConfig"/>), so a missing key is a mistake, named at start, never a silent
/// 0 or a second copy of the default here.
/// </summary>
public static class RequiredSettings
{
    public static int RequireInt(this Config config, string path) => config.Has(path).GetInt(path);

    public static long RequireLong(this Config config, string path) => config.Has(path).GetLong(path);

    public static double RequireDouble(this Config config, string path) => config.Has(path).GetDouble(path);

    public static bool RequireBoolean(this Config config, string path) => config.Has(path).GetBoolean(path);

    public static string RequireString(this Config config, string path) => config.Has(path).GetString(path);

    public static TimeSpan RequireTimeSpan(this Config config, string path) => config.Has(path).GetTimeSpan(path);

    private static Config Has(this Config config, string path) => config.HasPath(path)
        ? config
        : throw new ConfigurationException($"setting {path} is missing (hocon/ holds every default; was it replaced rather than layered over?)");
}

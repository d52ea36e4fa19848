using System.Net;
using Akka.Configuration;

namespace Actors.Web;

/// <summary>The node's HTTP ports (<c>actors.web</c>): where they bind, what they serve, and who may read the dashboard.</summary>
public sealed record WebSettings(
    string Bind,
    int? DashboardPort,
    int? HealthPort,
    string TokenVariable,
    string? Token,
    bool AllowInsecure,
    TimeSpan RefreshInterval,
    int FiguresWindowSeconds,
    int MaxViewers,
    TimeSpan JournalProbeInterval,
    TimeSpan JournalProbeTimeout)
{
    /// <summary>Reads <c>actors.web</c>; the token from the environment variable it names.</summary>
    public static WebSettings From(Config config)
    {
        var web = config.GetConfig("actors.web");
        var variable = web.GetString("token-variable");
        var token = Environment.GetEnvironmentVariable(variable);
        return new WebSettings(
            web.GetString("bind"),
            Port(web, "dashboard-port"),
            Port(web, "health-port"),
            variable,
            string.IsNullOrEmpty(token) ? null : token,
            web.GetBoolean("allow-insecure"),
            web.GetTimeSpan("refresh-interval"),
            Math.Max(1, (int)Math.Round(web.GetTimeSpan("figures-window").TotalSeconds)),
            web.GetInt("max-viewers"),
            web.GetTimeSpan("journal-probe-interval"),
            web.GetTimeSpan("journal-probe-timeout"));
    }

    public bool Loopback => Bind == "localhost" || (IPAddress.TryParse(Bind, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>
    /// Off loopback, the page and probes need the node's TLS (they are then HTTPS) and the dashboard
    /// its token, unless the operator allowed plain HTTP. Throws <see cref="FormatException"/> saying which.
    /// </summary>
    public void Check(bool nodeHasTls)
    {
        if (Loopback || AllowInsecure || (DashboardPort is null && HealthPort is null))
        {
            return;
        }

        if (!nodeHasTls)
        {
            throw new FormatException(
                $"refusing to serve the dashboard or health probes on {Bind} over plain HTTP: start with --tls DIR " +
                "(they are then served over HTTPS with the node's certificate), bind 127.0.0.1, or pass --insecure on a network you trust");
        }

        if (DashboardPort is not null && Token is null)
        {
            throw new FormatException(
                $"refusing to serve the dashboard on {Bind} without a token: set {TokenVariable} (every page request must then " +
                "carry it), bind 127.0.0.1, or pass --insecure on a network you trust");
        }
    }

    private static int? Port(Config web, string key)
    {
        var value = web.GetString(key);
        return value is "off" or "" ? null
            : int.TryParse(value, out var port) && port is >= 0 and <= 65535 ? port
            : throw new FormatException($"actors.web.{key} must be off or a port (got '{value}')");
    }
}

using Actors.Host.Bench;
using Actors.Hosting;
using Actors.Security;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Host;

/// <summary>How this process builds a node: the `node` verb, and `bench --inproc`.</summary>
internal static class NodeHost
{
    /// <param name="extra">HOCON from --config: over node.conf, under the flags.</param>
    /// <param name="more">Further wiring (start-up hooks).</param>
    /// <param name="minimumLogLevel">Console log level (bench keeps the console for its own output).</param>
    /// <param name="metrics">Serve Prometheus metrics on this address and port.</param>
    /// <param name="otlp">Export the Actors spans to this OTLP/HTTP collector.</param>
    /// <param name="benchBaselines">
    /// Host the raw Akka.NET counters `bench --baseline` measures against and honour FailRate:
    /// for benchmarking only (the baselines are unbounded and reachable by any client).
    /// </param>
    public static IHost Build(NodeOptions options, Config? extra, Action<AkkaConfigurationBuilder>? more = null,
        LogLevel minimumLogLevel = LogLevel.Information, (string Bind, int Port)? metrics = null, bool benchBaselines = false, Uri? otlp = null)
    {
        // No configuration reload on change: it watches the working folder and every folder under it,
        // where the SQLite journal lives (data/), so each commit woke the watcher (profiled idle: ~20%
        // of the node's CPU). The node reads no appsettings file.
        var settings = new HostApplicationBuilderSettings { Args = [], Configuration = new ConfigurationManager() };
        settings.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("hostBuilder:reloadConfigOnChange", "false")]);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(minimumLogLevel);
        builder.Logging.AddSimpleConsole(o =>
        {
            // The one timestamp of a line (Akka's own is left out, see QuietLogger): UTC, as members on several machines compare them.
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        if (metrics is { } endpoint)
        {
            builder.Services.AddHostedService(_ => new MetricsExporter(endpoint.Bind, endpoint.Port));
        }

        if (otlp is not null)
        {
            var ratio = (extra ?? Config.Empty).WithFallback(NodeConfig.Defaults).GetDouble("actors.tracing.sample-ratio");
            builder.Services.AddHostedService(_ => new TracingExporter(otlp, ratio));
        }

        builder.Services.AddAkka(ActorsHostingExtensions.SystemName, (akka, services) =>
        {
            if (extra is not null)
            {
                akka.AddHocon(extra, HoconAddMode.Prepend);
            }

            // Refused network input (undecodable frames, failed TLS handshakes) costs one line per kind per interval.
            var interval = (extra ?? Config.Empty).WithFallback(NodeConfig.Defaults).GetTimeSpan("actors.log.offence-interval");
            var throttle = new RefusalLogThrottle(interval);
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<QuietLogger>();
            });
            akka.AddSetup(new LoggerFactorySetup(services.GetRequiredService<ILoggerFactory>()));
            akka.AddSetup(new RefusalLogSetup(throttle));
            akka.AddStartup((system, _) =>
                system.Scheduler.Advanced.ScheduleRepeatedly(interval, interval, () => throttle.ReportSuppressed(system.Log)));
            if (benchBaselines)
            {
                akka.AddHocon("actors.limits.failure-injection = on", HoconAddMode.Prepend);
            }

            akka.AddActors(options);
            if (benchBaselines)
            {
                akka.AddBenchBaseline(options, extra);
            }

            more?.Invoke(akka);
        });
        return builder.Build();
    }
}

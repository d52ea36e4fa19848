using Actors.Telemetry;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Actors.Host;

/// <summary>
/// Serves the <c>Actors</c> meter and the .NET runtime metrics in Prometheus' text format on
/// <c>http://bind:port/metrics</c>, through OpenTelemetry's exporter, while the node runs.
/// </summary>
internal sealed class MetricsExporter(string bind, int port) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ActorsMetrics.MeterName)
            .AddRuntimeInstrumentation()
            .AddPrometheusHttpListener(o =>
            {
                o.Host = bind;
                o.Port = port;
            })
            .Build();
        Console.WriteLine($"Metrics: http://{bind}:{port}/metrics");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _provider?.Dispose();
        _provider = null;
    }
}

using Actors.Tracing;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Actors.Host;

/// <summary>
/// Exports the <c>Actors</c> spans (client calls made in this process, gateway admissions, lane
/// and entity handling, journal writes) with OpenTelemetry's OTLP exporter over HTTP/protobuf,
/// while the node runs. Without it (the default) nobody listens and no span is made.
/// </summary>
/// <param name="sampleRatio">The share of new traces recorded; a trace a caller started keeps its caller's decision.</param>
internal sealed class TracingExporter(Uri endpoint, double sampleRatio) : IHostedService, IDisposable
{
    private TracerProvider? _provider;

    /// <summary>OTLP/HTTP's traces path on a collector's base URL (http://host:4318 → http://host:4318/v1/traces).</summary>
    public static Uri TracesUrl(Uri endpoint) =>
        endpoint.AbsolutePath is "" or "/" ? new Uri(endpoint, "v1/traces") : endpoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddService("actors-node"))
            .AddSource(ActorsTracing.SourceName)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(sampleRatio)))
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = TracesUrl(endpoint);
            })
            .Build();
        Console.WriteLine($"Tracing: spans of source '{ActorsTracing.SourceName}' to {TracesUrl(endpoint)} (OTLP/HTTP, sampling {sampleRatio:P0} of new traces)");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Disposing flushes what is still batched.
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _provider?.Dispose();
        _provider = null;
    }
}

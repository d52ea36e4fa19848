using System.Diagnostics;
using Actors.Tracing;

namespace Actors.Gateway;

/// <summary>The gateway's span of each request, from admission to its answer.</summary>
public sealed partial class GatewayActor
{
    /// <summary>The gateway's span of a request: from admission to its answer, under the caller's.</summary>
    private Activity? StartSpan(Type type, string? requestId, string? traceParent)
    {
        var span = ActorsTracing.StartDetached($"actors.gateway {type.Name}", ActivityKind.Server, traceParent);
        span?.SetTag("actors.request_id", requestId);
        span?.SetTag("actors.member", _selfAddress);
        return span;
    }

    private void KeepSpan(RoutedRequest routed, Activity? span)
    {
        if (span is null)
        {
            return;
        }

        if (_inFlight.TryGet(routed.Request.RequestId, out var entry) && entry.Routed.Token == routed.Token && entry.Span is null)
        {
            entry.Span = span;
        }
        else
        {
            // A copy sent again: its first admission's span is the one that ends with the answer.
            ActorsTracing.Stop(span, null);
        }
    }
}

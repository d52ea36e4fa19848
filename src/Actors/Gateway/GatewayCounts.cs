using Actors.Protocol;
using Actors.Telemetry;

namespace Actors.Gateway;

/// <summary>
/// What the gateway counts: every answer by request type and outcome (the Meter), requests in
/// flight (the node's gauge), answered requests with their latency, and error answers by code,
/// for <see cref="GatewayStats"/>.
/// </summary>
internal sealed class GatewayCounts(NodeTelemetry telemetry)
{
    private static readonly string[] OutcomeNames =
        Enum.GetValues<ErrorCode>().Select(c => c.ToString()).Prepend("ok").ToArray();

    private static readonly ErrorCode[] Codes = Enum.GetValues<ErrorCode>();

    private readonly LatencyWindow _latency = new();
    private readonly CountWindow _errors = new(Codes.Length);
    private long _completed;

    public void InFlight(int count) => telemetry.SetInFlight(count);

    /// <summary>Counts a request answered after it was admitted, with its latency.</summary>
    public void Completed(InFlight entry, IReply reply, long now)
    {
        var elapsed = now - entry.Started;
        _completed++;
        _latency.Record(elapsed, now);
        var typeTag = new KeyValuePair<string, object?>("type", entry.Type.Name);
        ActorsMetrics.Requests.Add(1, typeTag, new KeyValuePair<string, object?>("outcome", Outcome(reply)));
        ActorsMetrics.RequestDuration.Record(elapsed / 1000.0, typeTag);
        if (reply is ErrorReply error)
        {
            CountError(error.Code, now);
        }
    }

    /// <summary>Counts a request answered without being admitted, or answered with an error by the gateway itself.</summary>
    public void Refused(Type type, ErrorCode code, long now)
    {
        ActorsMetrics.Requests.Add(1, new KeyValuePair<string, object?>("type", type.Name),
            new KeyValuePair<string, object?>("outcome", OutcomeNames[(int)code]));
        CountError(code, now);
    }

    public GatewayStats Stats(int windowSeconds, int inFlight, IReadOnlyDictionary<string, int> byRoute, long rejected, long now)
    {
        var (count, p99) = _latency.Over(windowSeconds, 99, now);
        var errors = _errors.Over(windowSeconds, now);
        var byCode = Codes.Select((code, i) => new ErrorCount(code.ToString(), errors[i])).Where(e => e.Count > 0).ToArray();
        return new GatewayStats(inFlight, byRoute, _completed, rejected, count, p99, byCode);
    }

    private void CountError(ErrorCode code, long now)
    {
        var kind = Array.IndexOf(Codes, code);
        if (kind >= 0)
        {
            _errors.Add(kind, now);
        }
    }

    private static string Outcome(IReply reply) => reply is ErrorReply e && (int)e.Code < OutcomeNames.Length
        ? OutcomeNames[(int)e.Code]
        : "ok";
}

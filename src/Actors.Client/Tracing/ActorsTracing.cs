using System.Diagnostics;
using Actors.Protocol;

namespace Actors.Tracing;

/// <summary>
/// Spans for every request, on the BCL's <see cref="ActivitySource"/> named <c>Actors</c>: the
/// client's call, the gateway's admission, the lane's or entity's handling, the journal write.
/// An application sees them by listening to that source (OpenTelemetry: <c>AddSource("Actors")</c>
/// and an exporter of its choice); with nobody listening no span is made, and the envelope's
/// trace field stays empty (14 bytes a message on the client port). The trace context travels in
/// the per-request envelope (W3C traceparent), never in a team's own records.
/// </summary>
public static class ActorsTracing
{
    public const string SourceName = "Actors";

    // A W3C traceparent is 55 characters; anything much longer from the wire is not one.
    private const int MaxTraceParent = 64;

    internal static readonly ActivitySource Source = new(SourceName, typeof(ActorsTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Whether anyone listens: when not, callers skip even building span names.</summary>
    public static bool On => Source.HasListeners();

    /// <summary>
    /// Starts a span under a parent named by a traceparent from the wire (none or unreadable: a new
    /// trace), without making it the thread's current activity: an actor's next message, on this
    /// thread, must not find itself inside this span.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityKind kind, string? traceParent, IEnumerable<ActivityLink>? links = null) =>
        StartDetached(name, kind, Parse(traceParent), links);

    /// <inheritdoc cref="StartDetached(string, ActivityKind, string?, IEnumerable{ActivityLink}?)"/>
    public static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent, IEnumerable<ActivityLink>? links = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        // With no parent given, StartActivity would take the thread's current one: there is none here.
        Activity.Current = null;
        var span = Source.StartActivity(name, kind, parent, tags: null, links: links);
        Activity.Current = current;
        return span;
    }

    /// <summary>Ends a span with its request's outcome: an error reply marks it failed, with the code.</summary>
    public static void Stop(Activity? span, IReply? reply)
    {
        if (span is null || span.IsStopped)
        {
            return;
        }

        if (reply is ErrorReply error)
        {
            span.SetTag("actors.error_code", error.Code.ToString());
            span.SetStatus(ActivityStatusCode.Error, error.Code.ToString());
        }

        var current = Activity.Current;
        span.Stop();
        // Stop makes the span's parent current; the thread goes back to what it had.
        Activity.Current = current;
    }

    /// <summary>The context of a traceparent from the wire; default (no parent) when absent, too long or malformed.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        traceParent is { Length: > 0 and <= MaxTraceParent } && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context)
            ? context
            : default;
}

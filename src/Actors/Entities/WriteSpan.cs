using System.Diagnostics;
using Actors.Gateway;
using Actors.Tracing;

namespace Actors.Entities;

/// <summary>
/// The span of one entity's journal write: under the first traced request's span, linked to every
/// other's, so each request's trace shows the one write that stored it with the others.
/// </summary>
internal static class WriteSpan
{
    public static Activity? Start(IEnumerable<Caller> callers, int rows, string persistenceId)
    {
        var traced = callers.Select(c => c.Span).OfType<Activity>().ToList();
        if (traced.Count == 0)
        {
            return null;
        }

        var span = ActorsTracing.StartDetached("actors.journal.write", ActivityKind.Internal, traced[0].Context,
            traced.Skip(1).Select(s => new ActivityLink(s.Context)));
        span?.SetTag("actors.persistence_id", persistenceId);
        span?.SetTag("actors.rows", rows);
        return span;
    }
}

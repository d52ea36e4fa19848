using Actors.Protocol;

namespace Actors.Workers;

/// <summary>The errors a lane worker answers, each saying what became of the request.</summary>
internal static class LaneErrors
{
    /// <summary>Refused at once rather than queued: an empty-looking mailbox would draw the lane's traffic here.</summary>
    public static ErrorReply BackingOff(IRequest request, string lane, TimeSpan left) =>
        new(request.RequestId, ErrorCode.Overloaded, $"lane {lane}: worker is backing off after repeated handler failures",
            left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(10));

    public static ErrorReply Broken(IRequest request, string lane, string reason) =>
        new(request.RequestId, ErrorCode.Unavailable, $"lane {lane}: handler could not be created: {reason}");

    /// <summary>The gateway has answered Timeout already; this only gives its slot back.</summary>
    public static ErrorReply PastDeadline(IRequest request) =>
        new(request.RequestId, ErrorCode.Timeout, "past its deadline before it started; not run");

    public static ErrorReply NoHandler(IRequest request, string lane) =>
        new(request.RequestId, ErrorCode.UnknownRequest, $"no handler for {request.GetType().Name} on lane {lane}");

    public static ErrorReply CancelledAtDeadline(IRequest request) =>
        new(request.RequestId, ErrorCode.Timeout, "not answered by its deadline: the handler was cancelled");

    /// <summary>The exception's message only: stack traces stay in the node's log.</summary>
    public static ErrorReply Failed(IRequest request, HandlerRegistration registration, Exception error) =>
        new(request.RequestId, ErrorCode.HandlerFailed, $"{registration.Name}: {Cause(error).Message}");

    public static Exception Cause(Exception error) => error is AggregateException { InnerException: { } inner } ? inner : error;
}

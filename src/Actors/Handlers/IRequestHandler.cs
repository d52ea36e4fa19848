using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;

namespace Actors.Handlers;

/// <summary>
/// A stateless handler: request in, reply out. One instance lives in each worker of its lane,
/// created when the worker starts and disposed (if <see cref="IDisposable"/> or
/// <see cref="IAsyncDisposable"/>) when it stops, so a handler may hold a resource such as a
/// connection. A handler that throws is answered <see cref="ErrorCode.HandlerFailed"/> and its
/// worker is restarted with a fresh instance.
/// </summary>
public interface IRequestHandler<in TRequest> where TRequest : IRequest
{
    /// <summary>
    /// Handle one request. Return a result record, or an <see cref="ErrorReply"/> for bad input
    /// (use <see cref="Replies.Invalid"/>). Synchronous handlers return a completed ValueTask.
    /// </summary>
    ValueTask<IReply> HandleAsync(TRequest request, CancellationToken cancellationToken);
}

/// <summary>What a handler factory gets: the system, the handler's HOCON block and DI services.</summary>
public sealed record HandlerContext(ActorSystem System, Config Settings, IServiceProvider? Services);

/// <summary>Shorthands for the error replies handlers and entities give.</summary>
public static class Replies
{
    public static ErrorReply Invalid(IRequest request, string message) =>
        new(request.RequestId, ErrorCode.InvalidRequest, message);
}

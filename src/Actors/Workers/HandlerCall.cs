using Actors.Protocol;

namespace Actors.Workers;

/// <summary>
/// One call of a handler: its reply or exception when it finished synchronously (the cpu lane's
/// handlers do, and are answered with no task or message in between), or the task to await.
/// </summary>
internal readonly record struct HandlerCall(IReply? Reply, Exception? Error, Task<IReply>? Pending)
{
    public static HandlerCall Start(HandlerRegistration registration, object instance, IRequest request, CancellationToken cancel)
    {
        ValueTask<IReply> pending;
        try
        {
            pending = registration.Invoke(instance, request, cancel);
        }
        catch (Exception e)
        {
            return new HandlerCall(null, e, null);
        }

        if (!pending.IsCompleted)
        {
            return new HandlerCall(null, null, pending.AsTask());
        }

        try
        {
            return new HandlerCall(pending.Result, null, null);
        }
        catch (Exception e)
        {
            return new HandlerCall(null, e, null);
        }
    }
}

using Actors.Hosting;
using Actors.Protocol;

namespace Actors.Handlers;

/// <summary>Built-in io-lane workload: an async wait standing in for a remote call.</summary>
public sealed class SleepHandler(int maxMilliseconds) : IRequestHandler<SleepFor>
{
    public static SleepHandler Create(HandlerContext context) => new(context.Settings.RequireInt("max-ms"));

    public async ValueTask<IReply> HandleAsync(SleepFor request, CancellationToken cancellationToken)
    {
        if (request.Milliseconds < 0 || request.Milliseconds > maxMilliseconds)
        {
            return Replies.Invalid(request, $"ms must be between 0 and {maxMilliseconds} (got {request.Milliseconds})");
        }

        if (FailureInjection.Validate(request, request.FailRate) is { } invalid)
        {
            return invalid;
        }

        await Task.Delay(request.Milliseconds, cancellationToken).ConfigureAwait(false);
        FailureInjection.MaybeFail(request.FailRate);
        return new Slept(request.RequestId, request.Milliseconds);
    }
}

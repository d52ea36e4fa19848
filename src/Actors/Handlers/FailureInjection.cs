using Actors.Protocol;

namespace Actors.Handlers;

/// <summary>Makes built-in handlers fail a requested fraction of requests, for supervision tests and load runs.</summary>
public static class FailureInjection
{
    /// <summary>Throws for about <paramref name="failRate"/> of calls; 0 never, 1 always. Out-of-range rates are refused earlier.</summary>
    public static void MaybeFail(double failRate)
    {
        if (failRate > 0 && Random.Shared.NextDouble() < failRate)
        {
            throw new InjectedFailureException();
        }
    }

    /// <summary>The error for a fail rate outside 0..1, or null.</summary>
    public static ErrorReply? Validate(IRequest request, double failRate) =>
        failRate is >= 0 and <= 1 ? null : Replies.Invalid(request, $"failRate must be between 0 and 1 (got {failRate})");
}

/// <summary>A failure asked for by the request itself (FailRate).</summary>
public sealed class InjectedFailureException() : Exception("injected failure (FailRate)");

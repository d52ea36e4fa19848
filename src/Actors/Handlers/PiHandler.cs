using Actors.Hosting;
using Actors.Protocol;

namespace Actors.Handlers;

/// <summary>Built-in cpu-lane workload: Monte Carlo estimate of pi.</summary>
public sealed class PiHandler(long maxSamples) : IRequestHandler<EstimatePi>
{
    public static PiHandler Create(HandlerContext context) => new(context.Settings.RequireLong("max-samples"));

    public ValueTask<IReply> HandleAsync(EstimatePi request, CancellationToken cancellationToken)
    {
        if (request.Samples <= 0 || request.Samples > maxSamples)
        {
            return ValueTask.FromResult<IReply>(Replies.Invalid(request,
                $"samples must be between 1 and {maxSamples} (got {request.Samples})"));
        }

        if (FailureInjection.Validate(request, request.FailRate) is { } invalid)
        {
            return ValueTask.FromResult<IReply>(invalid);
        }

        FailureInjection.MaybeFail(request.FailRate);

        var inside = CountInside(request.Samples);
        return ValueTask.FromResult<IReply>(new PiEstimated(request.RequestId, 4.0 * inside / request.Samples, request.Samples, inside));
    }

    /// <summary>Points of the unit square that fall inside the quarter circle.</summary>
    public static long CountInside(long samples)
    {
        // Random.Shared is thread-safe but contended; one generator per call keeps cores independent.
        var random = new Random();
        long inside = 0;
        for (long i = 0; i < samples; i++)
        {
            var x = random.NextDouble();
            var y = random.NextDouble();
            if (x * x + y * y <= 1.0)
            {
                inside++;
            }
        }

        return inside;
    }
}

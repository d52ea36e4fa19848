using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Workers;

public sealed class PiLaneSpecs(ITestOutputHelper output) : NodeSpec(output, PiLaneSpecsHocon)
{
    private const string PiLaneSpecsHocon = "actors.handlers.pi.max-samples = 5000000";

    [Fact]
    public async Task Pi_request_is_answered_with_an_estimate_from_the_cpu_lane()
    {
        var id = Id();
        var reply = await Expect<PiEstimated>(new EstimatePi(id, 400_000));

        reply.RequestId.Should().Be(id);
        reply.Samples.Should().Be(400_000);
        reply.Estimate.Should().BeApproximately(Math.PI, 0.05);
        reply.Estimate.Should().Be(4.0 * reply.Inside / reply.Samples);
    }

    [Fact]
    public async Task Many_pi_requests_each_get_their_own_answer()
    {
        var ids = Enumerable.Range(0, 40).Select(_ => Id()).ToList();
        var replies = await Task.WhenAll(ids.Select(id => Expect<PiEstimated>(new EstimatePi(id, 10_000))));

        replies.Select(r => r.RequestId).Should().BeEquivalentTo(ids);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(5_000_001)]
    public async Task Samples_out_of_range_are_refused_as_invalid(long samples)
    {
        var error = await ExpectError(new EstimatePi(Id(), samples), ErrorCode.InvalidRequest);

        error.Message.Should().Contain("between 1 and 5000000");
    }

    [Fact]
    public void Count_inside_stays_within_the_square()
    {
        PiHandler.CountInside(1000).Should().BeInRange(0, 1000);
    }
}

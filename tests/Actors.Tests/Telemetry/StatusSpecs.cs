using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Telemetry;

public sealed class StatusSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    [Fact]
    public async Task A_quiet_node_reports_nothing_in_flight_not_counting_the_poll_itself()
    {
        var status = await Expect<ClusterStatus>(new GetClusterStatus(Id()));

        var self = status.Members.Should().ContainSingle().Subject;
        self.Reachable.Should().BeTrue();
        self.InFlight.Should().Be(0);
    }
}

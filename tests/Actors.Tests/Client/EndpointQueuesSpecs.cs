using Actors.Client;
using Actors.Protocol;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Client;

/// <summary>The requester's per-endpoint gathering, without an actor system.</summary>
public sealed class EndpointQueuesSpecs
{
    private static GetCounter Request(int i) => new($"r{i}", "k");

    [Fact]
    public void The_first_request_goes_soon_while_its_endpoint_has_room_and_lingers_when_full()
    {
        var queues = new EndpointQueues<string>(maxSize: 10, pipeline: 1);
        queues.Add("a", Request(1)).Should().Be(Gathered.SendSoon);
        queues.Add("a", Request(2)).Should().Be(Gathered.Wait, "it joins the one going soon");
        queues.Take("a").Should().HaveCount(2);
        queues.Sent("a");

        queues.Add("a", Request(3)).Should().Be(Gathered.Linger, "a's pipeline is full");
        queues.Add("b", Request(4)).Should().Be(Gathered.SendSoon, "b's pipeline is its own");
        queues.Ready("a").Should().BeFalse();

        queues.Answered("a");
        queues.Ready("a").Should().BeTrue("a reply freed room and a request waits");
        queues.Waiting.Should().BeEquivalentTo(["a", "b"]);
    }

    [Fact]
    public void An_endpoint_sends_at_its_own_max_size_whatever_waits_for_others()
    {
        var queues = new EndpointQueues<string>(maxSize: 3, pipeline: 1);
        queues.Sent("a");
        queues.Sent("b");
        var results = new List<Gathered>();
        for (var i = 0; i < 2; i++)
        {
            results.Add(queues.Add("a", Request(i)));
            results.Add(queues.Add("b", Request(10 + i)));
        }

        results.Should().NotContain(Gathered.SendNow, "four requests over two endpoints fill neither");
        queues.Add("a", Request(2)).Should().Be(Gathered.SendNow);
        queues.Take("a").Select(r => r.RequestId).Should().Equal("r0", "r1", "r2");
        queues.Take("a").Should().BeEmpty();
        queues.Waiting.Should().Equal("b");
    }

    [Fact]
    public void Answers_beyond_what_was_sent_never_make_room_beyond_the_pipeline()
    {
        var queues = new EndpointQueues<string>(maxSize: 10, pipeline: 2);
        queues.Answered("a");
        queues.InFlight("a").Should().Be(0);
        queues.Sent("a");
        queues.Sent("a");
        queues.Add("a", Request(1)).Should().Be(Gathered.Linger);
        queues.Answered("a");
        queues.InFlight("a").Should().Be(1);
        queues.Ready("a").Should().BeTrue();
    }
}

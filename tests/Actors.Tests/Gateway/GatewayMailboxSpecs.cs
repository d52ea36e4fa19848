using Actors.Gateway;
using Actors.Hosting;
using Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Gateway;

/// <summary>
/// The gateway's replies-first queue as plain logic, then as the mailbox node.conf gives an actor:
/// a reply queued behind a burst of requests is taken before them.
/// </summary>
public sealed class GatewayMailboxSpecs() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(NodeConfig.Defaults))
{
    private static RoutedReply Reply(int i) => new(Guid.NewGuid(), new Slept($"r{i}", i));

    [Fact]
    public void Replies_come_out_before_everything_else_and_each_kind_in_the_order_it_went_in()
    {
        var queue = new RepliesFirstQueue();
        for (var i = 0; i < 10; i++)
        {
            queue.Enqueue(ActorRefs.Nobody, new Envelope(new SleepFor($"q{i}", i), ActorRefs.NoSender));
            if (i % 3 == 0)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope(Reply(i), ActorRefs.NoSender));
            }
        }

        queue.Count.Should().Be(14);
        var taken = new List<object>();
        while (queue.TryDequeue(out var envelope))
        {
            taken.Add(envelope.Message);
        }

        queue.HasMessages.Should().BeFalse();
        taken.Take(4).Cast<RoutedReply>().Select(r => r.Reply.RequestId).Should().Equal("r0", "r3", "r6", "r9");
        taken.Skip(4).Cast<SleepFor>().Select(r => r.RequestId).Should().Equal(Enumerable.Range(0, 10).Select(i => $"q{i}"));
    }

    [Fact]
    public async Task The_gateway_mailbox_takes_a_reply_before_the_requests_that_arrived_ahead_of_it()
    {
        using var gate = new SemaphoreSlim(0);
        var seen = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Recorder(gate, seen.Ref)).WithMailbox(GatewayMailbox.Id));

        actor.Tell("hold");
        await seen.ExpectMsgAsync("hold", TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100; i++)
        {
            actor.Tell(new SleepFor($"q{i}", i));
        }

        actor.Tell(Reply(1));
        gate.Release();

        var first = await seen.ReceiveOneAsync(TimeSpan.FromSeconds(10));
        first.Should().BeOfType<RoutedReply>("a reply jumps the 100 requests queued before it");
        for (var i = 0; i < 100; i++)
        {
            (await seen.ReceiveOneAsync(TimeSpan.FromSeconds(10))).Should().BeOfType<SleepFor>();
        }
    }

    /// <summary>Reports each message; the first ("hold") blocks until released, so the rest queue up behind it.</summary>
    private sealed class Recorder : ReceiveActor
    {
        public Recorder(SemaphoreSlim gate, IActorRef seen)
        {
            Receive<string>(hold =>
            {
                seen.Tell(hold);
                gate.Wait(TimeSpan.FromSeconds(30));
            });
            ReceiveAny(message => seen.Tell(message));
        }
    }
}

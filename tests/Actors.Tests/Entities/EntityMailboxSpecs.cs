using Actors.Entities;
using Actors.Hosting;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>
/// The entities' compact message queue as plain logic (order across growth and wrap-around,
/// messages put back in front, concurrent senders), then as the mailbox node.conf gives a
/// stashing actor.
/// </summary>
public sealed class EntityMailboxSpecs() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(NodeConfig.Defaults))
{
    [Fact]
    public void Messages_come_out_in_the_order_they_went_in_across_growth_and_wrap_around()
    {
        var queue = new CompactMessageQueue();
        var next = 0;
        var expected = 0;
        // Interleaved so the ring's head moves before it grows: every wrap-around case is taken.
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 7; i++)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope(next++, ActorRefs.NoSender));
            }

            for (var i = 0; i < 5; i++)
            {
                queue.TryDequeue(out var envelope).Should().BeTrue();
                envelope.Message.Should().Be(expected++);
            }
        }

        queue.Count.Should().Be(next - expected);
        while (queue.TryDequeue(out var envelope))
        {
            envelope.Message.Should().Be(expected++);
        }

        expected.Should().Be(next, "nothing enqueued is lost");
        queue.HasMessages.Should().BeFalse();
        queue.Count.Should().Be(0);
    }

    [Fact]
    public void Messages_put_back_in_front_come_out_first_last_put_first()
    {
        var queue = new CompactMessageQueue();
        queue.Enqueue(ActorRefs.Nobody, new Envelope("queued", ActorRefs.NoSender));
        queue.EnqueueFirst(new Envelope("stashed-2", ActorRefs.NoSender));
        queue.EnqueueFirst(new Envelope("stashed-1", ActorRefs.NoSender));

        queue.Count.Should().Be(3);
        Drain(queue).Should().Equal("stashed-1", "stashed-2", "queued");
    }

    [Fact]
    public void Clean_up_hands_every_message_left_to_dead_letters()
    {
        var queue = new CompactMessageQueue();
        var deadLetters = new UnboundedMessageQueue();
        queue.Enqueue(ActorRefs.Nobody, new Envelope("b", ActorRefs.NoSender));
        queue.EnqueueFirst(new Envelope("a", ActorRefs.NoSender));

        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        queue.HasMessages.Should().BeFalse();
        Drain(deadLetters).Should().Equal("a", "b");
    }

    [Fact]
    public async Task Concurrent_senders_lose_nothing_and_each_senders_messages_keep_their_order()
    {
        const int Senders = 4;
        const int PerSender = 50_000;
        var queue = new CompactMessageQueue();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < PerSender; i++)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope((s, i), ActorRefs.NoSender));
            }
        })).ToArray();

        var lastSeen = Enumerable.Repeat(-1, Senders).ToArray();
        var received = 0;
        start.SetResult();
        var consumer = Task.Run(() =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (received < Senders * PerSender && DateTime.UtcNow < deadline)
            {
                if (!queue.TryDequeue(out var envelope))
                {
                    Thread.Yield();
                    continue;
                }

                var (sender, index) = ((int, int))envelope.Message;
                if (index != lastSeen[sender] + 1)
                {
                    break;
                }

                lastSeen[sender] = index;
                received++;
            }
        });

        await Task.WhenAll(senders);
        await consumer;

        lastSeen.Should().OnlyContain(last => last == PerSender - 1, "each sender's messages arrive whole and in order");
        received.Should().Be(Senders * PerSender);
        queue.HasMessages.Should().BeFalse();
    }

    [Fact]
    public void A_stashing_actor_on_the_entity_mailbox_unstashes_in_order()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Gate()).WithMailbox(EntityMailbox.Id));

        actor.Tell("one");
        actor.Tell("two");
        actor.Tell("open");
        actor.Tell("three");

        ExpectMsg("one");
        ExpectMsg("two");
        ExpectMsg("three");
    }

    private static List<object> Drain(IMessageQueue queue)
    {
        var messages = new List<object>();
        while (queue.TryDequeue(out var envelope))
        {
            messages.Add(envelope.Message);
        }

        return messages;
    }

    /// <summary>Stashes everything until "open", then echoes: the stash needs a deque mailbox.</summary>
    private sealed class Gate : ReceiveActor, IWithUnboundedStash
    {
        public Gate()
        {
            Receive<string>(m => m == "open", _ =>
            {
                Become(() => ReceiveAny(m => Sender.Tell(m)));
                Stash.UnstashAll();
            });
            ReceiveAny(_ => Stash.Stash());
        }

        public IStash Stash { get; set; } = null!;
    }
}

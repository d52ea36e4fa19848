using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

/// <summary>How a batch is answered: whole and in order, or in parts as its items complete.</summary>
public sealed class BatchReplySpecs(ITestOutputHelper output) : NodeSpec(output)
{
    [Fact]
    public void A_batch_answered_as_completed_sends_its_quick_items_without_waiting_for_a_slow_one()
    {
        var slow = new SleepFor(Id(), 3000);
        var quick = Enumerable.Range(0, 5).Select(_ => new SleepFor(Id(), 1)).ToArray();
        Gateway.Tell(new RequestBatch(Id(), [slow, .. quick], AnswerAsCompleted: true), TestActor);

        var first = ExpectMsg<BatchReply>(Patience);
        first.Items.Select(i => i.RequestId).Should().BeEquivalentTo(quick.Select(q => q.RequestId),
            "the quick items come back while the slow one is still running");
        var last = ExpectMsg<BatchReply>(Patience);
        last.Items.Should().ContainSingle().Which.Should().BeOfType<Slept>().Which.RequestId.Should().Be(slow.RequestId);
    }

    [Fact]
    public void An_ordered_batch_is_answered_once_in_item_order()
    {
        var items = new IRequest[] { new SleepFor(Id(), 300), new SleepFor(Id(), 1), new SleepFor(Id(), 1) };
        Gateway.Tell(new RequestBatch(Id(), items), TestActor);

        ExpectMsg<BatchReply>(Patience).Items.Select(i => i.RequestId).Should().Equal(items.Select(i => i.RequestId));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}

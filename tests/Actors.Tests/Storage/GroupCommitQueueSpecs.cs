using Actors.Storage;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>The journal writer's queue as plain logic: what one transaction takes, and when a write is answered.</summary>
public sealed class GroupCommitQueueSpecs
{
    private readonly GroupCommitQueue<int> _queue = new();

    [Fact]
    public void A_transaction_takes_every_queued_write_in_order_up_to_the_row_limit_whole_writes_only()
    {
        _queue.Enqueue([1, 2]);
        _queue.Enqueue([3]);
        _queue.Enqueue([4, 5]);
        _queue.Enqueue([6]);

        _queue.Take(maxRows: 4)!.SelectMany(w => w.Rows).Should().Equal(1, 2, 3);
        _queue.Take(maxRows: 4)!.SelectMany(w => w.Rows).Should().Equal(4, 5, 6);
        _queue.Count.Should().Be(0);
    }

    [Fact]
    public void A_write_larger_than_the_limit_goes_alone_rather_than_never()
    {
        _queue.Enqueue([1, 2, 3, 4, 5]);
        _queue.Enqueue([6]);

        _queue.Take(maxRows: 2)!.Should().ContainSingle().Which.Rows.Should().HaveCount(5);
        _queue.Take(maxRows: 2)!.Should().ContainSingle().Which.Rows.Should().Equal(6);
    }

    [Fact]
    public void A_write_is_answered_only_when_the_writer_completes_it()
    {
        var written = _queue.Enqueue([1]);
        var taken = _queue.Take(maxRows: 10)!;

        written.IsCompleted.Should().BeFalse("taken is not committed");
        taken[0].Done.SetResult();
        written.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task The_writer_waits_for_a_write_and_once_closed_finishes_what_is_queued_then_stops()
    {
        var waiting = Task.Run(() => _queue.Take(maxRows: 10));
        waiting.IsCompleted.Should().BeFalse("nothing is queued yet");

        _ = _queue.Enqueue([1]);
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10)))!.SelectMany(w => w.Rows).Should().Equal(1);

        _ = _queue.Enqueue([2]);
        _queue.Close();
        var refused = _queue.Enqueue([3]);

        _queue.Take(maxRows: 10)!.SelectMany(w => w.Rows).Should().Equal(2);
        _queue.Take(maxRows: 10).Should().BeNull();
        await refused.Invoking(t => t).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public void A_write_with_an_answer_queued_after_the_writer_stopped_is_told_at_once_that_it_failed()
    {
        _queue.Close();
        var told = new Told();

        var ended = _queue.Enqueue([1], told);

        told.Failures.Should().ContainSingle().Which.Should().BeOfType<ObjectDisposedException>();
        ended.IsCompletedSuccessfully.Should().BeTrue("with an answer, the task only says the write has ended");
        _queue.Take(maxRows: 10).Should().BeNull("nothing was queued");
    }

    private sealed class Told : ICommitted
    {
        public List<Exception?> Failures { get; } = [];

        public void Committed(Exception? failure) => Failures.Add(failure);
    }
}

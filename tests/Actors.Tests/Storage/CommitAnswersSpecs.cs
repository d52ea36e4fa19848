using Actors.Storage;
using Akka.Event;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>The journal's answers after a commit, as plain logic: in the order posted, one at a time, none lost to another's fault.</summary>
public sealed class CommitAnswersSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Answers_run_in_the_order_posted_one_at_a_time_while_posts_keep_coming()
    {
        var answers = new CommitAnswers(NoLogger.Instance);
        var log = new Log(expected: 20_000);
        // Posted from one thread, as the writer does, while earlier answers run on the pool.
        for (var i = 0; i < 20_000; i++)
        {
            answers.Post(new Numbered(i, log), i % 7 == 0 ? new InvalidOperationException("failed") : null);
        }

        await log.All.WaitAsync(Patience);
        log.Seen.Should().Equal(Enumerable.Range(0, 20_000));
        log.MostAtOnce.Should().Be(1, "a persistent actor's answers must not overtake each other");
        log.Failures.Should().Be(Enumerable.Range(0, 20_000).Count(i => i % 7 == 0));
    }

    [Fact]
    public async Task An_answer_that_throws_does_not_stop_the_ones_after_it()
    {
        var answers = new CommitAnswers(NoLogger.Instance);
        var log = new Log(expected: 2);
        answers.Post(new Numbered(0, log), null);
        answers.Post(new Throwing(), null);
        answers.Post(new Numbered(1, log), null);

        await log.All.WaitAsync(Patience);
        log.Seen.Should().Equal(0, 1);
    }

    private sealed class Log(int expected)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;

        public List<int> Seen { get; } = [];

        public int MostAtOnce { get; private set; }

        public int Failures { get; private set; }

        public Task All => _all.Task;

        public void Record(int number, Exception? failure)
        {
            var running = Interlocked.Increment(ref _running);
            bool done;
            lock (Seen)
            {
                MostAtOnce = Math.Max(MostAtOnce, running);
                Seen.Add(number);
                Failures += failure is null ? 0 : 1;
                done = Seen.Count == expected;
            }

            Interlocked.Decrement(ref _running);
            if (done)
            {
                _all.TrySetResult();
            }
        }
    }

    private sealed class Numbered(int number, Log log) : ICommitted
    {
        public void Committed(Exception? failure) => log.Record(number, failure);
    }

    private sealed class Throwing : ICommitted
    {
        public void Committed(Exception? failure) => throw new InvalidOperationException("an answer's own fault");
    }
}

using Actors.Client;
using Actors.Protocol;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Client;

/// <summary>Which refusals the client sends again and how long it waits, as plain logic.</summary>
public sealed class RetryPolicySpecs
{
    private static readonly RetryPolicy Policy = new(MaxAttempts: 20, MinBackoff: TimeSpan.FromMilliseconds(20),
        MaxBackoff: TimeSpan.FromSeconds(2), AttemptTimeout: TimeSpan.FromSeconds(5), MaxHintMultiple: 4);

    private static readonly AddToCounter Add = new("r1", "k", 1);
    private static readonly Charge NotIdempotent = new("r2");

    [Fact]
    public void After_an_Overloaded_reply_with_a_hint_the_wait_grows_from_the_hint_to_four_times_it_and_no_further()
    {
        var refused = new ErrorReply("r1", ErrorCode.Overloaded, "full", TimeSpan.FromMilliseconds(40));
        var expected = new Dictionary<int, double> { [1] = 40, [2] = 40, [3] = 80, [4] = 160, [10] = 160, [19] = 160 };
        foreach (var (attempt, wait) in expected)
        {
            var waits = Enumerable.Range(0, 200).Select(_ => Policy.Delay(Add, refused, attempt)!.Value.TotalMilliseconds).ToList();
            waits.Should().OnlyContain(w => w >= wait && w <= wait * 1.5, "the node's pushback sets the scale, with up to half again as jitter");
            waits.Distinct().Count().Should().BeGreaterThan(1, "callers refused together spread out");
        }
    }

    [Fact]
    public void Without_a_hint_the_wait_grows_exponentially_from_the_least_backoff_up_to_the_most()
    {
        var unavailable = new ErrorReply("r1", ErrorCode.Unavailable, "gone");
        Policy.Delay(Add, unavailable, 1)!.Value.TotalMilliseconds.Should().BeInRange(20, 30);
        Policy.Delay(Add, unavailable, 4)!.Value.TotalMilliseconds.Should().BeInRange(160, 240);
        Policy.Delay(Add, unavailable, 12)!.Value.TotalMilliseconds.Should().BeInRange(2000, 3000);
        Policy.Delay(Add, new ErrorReply("r1", ErrorCode.Overloaded, "full"), 4)!.Value.TotalMilliseconds.Should().BeInRange(160, 240);
    }

    [Fact]
    public void Only_refusals_that_are_safe_to_send_again_are_retried_and_never_past_the_last_attempt()
    {
        Policy.Delay(NotIdempotent, new ErrorReply("r2", ErrorCode.Overloaded, "full"), 1).Should().NotBeNull("the node did not take it on");
        Policy.Delay(NotIdempotent, new ErrorReply("r2", ErrorCode.Timeout, "late"), 1).Should().BeNull("it may have run");
        Policy.Delay(Add, new ErrorReply("r1", ErrorCode.Timeout, "late"), 1).Should().NotBeNull("an idempotent request is applied once");
        Policy.Delay(Add, new ErrorReply("r1", ErrorCode.InvalidRequest, "bad"), 1).Should().BeNull();
        Policy.Delay(Add, new ErrorReply("r1", ErrorCode.Overloaded, "full", TimeSpan.FromMilliseconds(10)), 20).Should().BeNull();
        Policy.AttemptTimeoutFor(Add).Should().Be(TimeSpan.FromSeconds(5));
        Policy.AttemptTimeoutFor(NotIdempotent).Should().BeNull();
    }

    /// <summary>A request that must not run twice (not idempotent).</summary>
    private sealed record Charge(string RequestId) : IRequest;
}

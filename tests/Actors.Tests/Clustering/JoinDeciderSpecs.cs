using Actors.Bootstrap;
using Akka.Actor;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Clustering;

/// <summary>The bootstrap's rule without an actor system: join what exists, else only the lowest forms, once enough agree long enough.</summary>
public sealed class JoinDeciderSpecs
{
    private static readonly Address A = Address.Parse("akka.tcp://actors@10.0.0.1:4153");
    private static readonly Address B = Address.Parse("akka.tcp://actors@10.0.0.2:4153");
    private static readonly Address C = Address.Parse("akka.tcp://actors@10.0.0.3:4153");

    private static ContactPoint Alone(Address self) => new(self.ToString(), []);

    [Fact]
    public void A_member_that_finds_a_cluster_joins_it_through_its_members_whatever_else_it_sees()
    {
        var decider = new JoinDecider(required: 3, TimeSpan.FromSeconds(5));

        var decision = decider.Decide(C, [Alone(C), new ContactPoint(B.ToString(), [B.ToString(), A.ToString()])], nowMs: 0);

        decision.Should().BeOfType<BootstrapDecision.Join>().Which.Seeds.Should().Equal(A, B);
    }

    [Fact]
    public void Only_the_lowest_address_forms_and_only_after_enough_members_agree_for_the_stable_margin()
    {
        var lowest = new JoinDecider(required: 3, TimeSpan.FromSeconds(5));
        var other = new JoinDecider(required: 3, TimeSpan.FromSeconds(5));
        ContactPoint[] two = [Alone(A), Alone(B)];
        ContactPoint[] three = [Alone(C), Alone(A), Alone(B)];

        lowest.Decide(A, two, 0).Should().BeOfType<BootstrapDecision.Wait>().Which.Why.Should().Contain("2 of the 3");
        lowest.Decide(A, three, 1_000).Should().BeOfType<BootstrapDecision.Wait>("the set just changed");
        lowest.Decide(A, three, 5_999).Should().BeOfType<BootstrapDecision.Wait>();
        lowest.Decide(A, three, 6_000).Should().BeOfType<BootstrapDecision.Form>();

        other.Decide(B, three, 0);
        other.Decide(B, three, 60_000).Should().BeOfType<BootstrapDecision.Wait>().Which.Why.Should().Contain(A.ToString());
    }

    [Fact]
    public void A_change_in_who_answers_starts_the_margin_again()
    {
        var decider = new JoinDecider(required: 2, TimeSpan.FromSeconds(5));

        decider.Decide(A, [Alone(A), Alone(B)], 0);
        decider.Decide(A, [Alone(A), Alone(C)], 4_000).Should().BeOfType<BootstrapDecision.Wait>();
        decider.Decide(A, [Alone(A), Alone(C)], 8_000).Should().BeOfType<BootstrapDecision.Wait>();
        decider.Decide(A, [Alone(A), Alone(C)], 9_000).Should().BeOfType<BootstrapDecision.Form>();
    }

    [Fact]
    public void A_member_its_own_port_does_not_answer_for_never_forms_and_malformed_answers_count_for_nothing()
    {
        var decider = new JoinDecider(required: 2, TimeSpan.Zero);

        decider.Decide(A, [Alone(B), Alone(C)], 0).Should().BeOfType<BootstrapDecision.Wait>().Which.Why.Should().Contain("not among");
        decider.Decide(A, [Alone(A), new ContactPoint("not an address", ["nor this"])], 0)
            .Should().BeOfType<BootstrapDecision.Wait>().Which.Why.Should().Contain("1 of the 2");
    }
}

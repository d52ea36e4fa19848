using Actors.Entities;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>The request window as plain logic: which ids an entity remembers, for how long, and when it is full.</summary>
public sealed class RequestWindowSpecs
{
    private const long T0 = 1_764_547_200_000;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_remembered_write_is_applied_for_its_own_command_and_reused_for_another()
    {
        var window = new RequestWindow(Window, 100);
        window.Add(new AppliedRequest("a", 11, T0));

        window.Check("a", () => 11).Should().Be(RequestSeen.Applied);
        window.Check("a", () => 12).Should().Be(RequestSeen.Reused);
        window.Check("b", () => 11).Should().Be(RequestSeen.New);
    }

    [Fact]
    public void An_id_known_without_its_hash_matches_any_command_until_its_hash_is_learnt()
    {
        var window = new RequestWindow(Window, 100);
        window.Add(new AppliedRequest("a", AppliedRequest.UnknownHash, T0));
        window.Check("a", () => 99).Should().Be(RequestSeen.Applied);

        window.Add(new AppliedRequest("a", 11, T0));
        window.Check("a", () => 99).Should().Be(RequestSeen.Reused);
        window.Count.Should().Be(1);
    }

    [Fact]
    public void Ids_are_remembered_for_the_whole_window_however_many_writes_come_between()
    {
        var window = new RequestWindow(Window, 10_000);
        window.Add(new AppliedRequest("first", 1, T0));
        for (var i = 0; i < 5000; i++)
        {
            window.Add(new AppliedRequest($"w{i}", 2, T0 + 1 + i));
        }

        window.Forget(T0 + 29_999);
        window.Check("first", () => 1).Should().Be(RequestSeen.Applied, "5,000 later writes, all within 30 s");
        window.Forget(T0 + 30_000);
        window.Check("first", () => 1).Should().Be(RequestSeen.New, "30 s on, it has left the window");
        window.Check("w0", () => 2).Should().Be(RequestSeen.Applied);
    }

    [Fact]
    public void Packed_writes_unpack_as_they_were()
    {
        var window = new RequestWindow(Window, 10);
        window.Add(new AppliedRequest("a", AppliedRequest.UnknownHash, T0));
        window.Add(new AppliedRequest("b", -3, T0 + 5));

        var again = new RequestWindow(Window, 10);
        foreach (var write in RequestWindow.Unpack(window.Packed(T0 + 10)))
        {
            again.Add(write);
        }

        again.Check("a", () => 99).Should().Be(RequestSeen.Applied);
        again.Check("b", () => -3).Should().Be(RequestSeen.Applied);
        again.Check("b", () => 4).Should().Be(RequestSeen.Reused);
        RequestWindow.Unpack("").Should().BeEmpty();
    }

    [Fact]
    public void When_every_id_it_may_hold_is_inside_the_window_it_is_full_until_the_oldest_leaves()
    {
        var window = new RequestWindow(Window, 3);
        window.Add(new AppliedRequest("a", 1, T0));
        window.Add(new AppliedRequest("b", 1, T0 + 1000));
        window.FullFor(T0 + 2000, pending: 0).Should().BeNull();
        window.FullFor(T0 + 2000, pending: 1).Should().Be(TimeSpan.FromSeconds(28), "a decided write not yet stored counts");

        window.Add(new AppliedRequest("c", 1, T0 + 2000));
        window.FullFor(T0 + 5000, pending: 0).Should().Be(TimeSpan.FromSeconds(25));
        window.Check("a", () => 1).Should().Be(RequestSeen.Applied, "full: nothing was forgotten");

        window.FullFor(T0 + 30_000, pending: 0).Should().BeNull("a has left the window");
        window.Check("a", () => 1).Should().Be(RequestSeen.New);
    }

    [Fact]
    public void A_journal_written_under_a_larger_bound_keeps_the_newest_ids()
    {
        var window = new RequestWindow(Window, 2);
        foreach (var id in new[] { "a", "b", "c" })
        {
            window.Add(new AppliedRequest(id, 1, T0));
        }

        window.Count.Should().Be(2);
        window.Check("a", () => 1).Should().Be(RequestSeen.New);
        RequestWindow.Unpack(window.Packed(T0)).Select(w => w.IdHash).Should().Equal(Hashes.OfId("b"), Hashes.OfId("c"));
    }
}

using Actors.Entities;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Entities;

/// <summary>One entity type's journal-failure lines as plain logic: one per kind per interval, with a count.</summary>
public sealed class EntityFailureLogSpecs
{
    private readonly EntityFailureLog _log = new(TimeSpan.FromSeconds(10));

    [Fact]
    public void The_first_failure_of_a_kind_is_logged_and_the_rest_within_the_interval_are_counted_into_the_next_line()
    {
        _log.Admit("write", 1_000, out var held).Should().BeTrue();
        held.Should().Be(0);
        Enumerable.Range(0, 500).Select(i => _log.Admit("write", 1_000 + i, out _)).Should().OnlyContain(admitted => !admitted);

        _log.Admit("write", 10_999, out _).Should().BeFalse("still within the interval");
        _log.Admit("write", 11_000, out held).Should().BeTrue();
        held.Should().Be(501);
        _log.Admit("write", 11_001, out _).Should().BeFalse();
    }

    [Fact]
    public void Kinds_are_counted_apart()
    {
        _log.Admit("write", 0, out _).Should().BeTrue();
        _log.Admit("recovery", 1, out _).Should().BeTrue("another kind has its own line");
        _log.Admit("write", 2, out _).Should().BeFalse();
    }
}

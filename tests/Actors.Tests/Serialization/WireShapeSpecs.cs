using System.Collections.Frozen;
using System.Collections.Immutable;
using Actors.Hosting;
using Actors.Protocol;
using Actors.Serialization;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Serialization;

/// <summary>
/// What may travel between members: records of registered types carrying the collections people
/// use, closed over allowed types, checked against the concrete types they hold. No ActorSystem.
/// </summary>
public sealed class WireShapeSpecs
{
    private static readonly AllowList Allow =
        AllowList.From(ProtocolTypes.For([typeof(IActorsMessage).Assembly, typeof(WireShapeSpecs).Assembly]).WithFallback(ActorsConfig.Wire));

    private readonly WireShape _wire = new(Allow);

    public static TheoryData<IActorsMessage> Travelling => new()
    {
        new CounterValue("r", "k", 1),
        new Tally("r", new Dictionary<string, int> { ["a"] = 1 }, new List<string> { "x" }, [new Line("a", 1)],
            ImmutableArray.Create(new Line("b", 2)), ImmutableDictionary<string, Line>.Empty.Add("k", new Line("c", 3)), null),
        new Tally("r", ImmutableDictionary<string, int>.Empty.Add("a", 1), new[] { "x" }, [], [], ImmutableDictionary<string, Line>.Empty,
            new List<int?> { 1, null }),
        new Nested("r", new List<IReadOnlyList<Line>> { new List<Line> { new("a", 1) } }),
    };

    [Theory]
    [MemberData(nameof(Travelling))]
    public void A_record_carrying_allowed_collections_of_allowed_types_travels(IActorsMessage message) =>
        _wire.Refusal(message).Should().BeNull();

    [Fact]
    public void A_read_only_dictionary_held_as_a_class_the_wire_does_not_take_is_refused_naming_it()
    {
        var frozen = new Dictionary<string, int> { ["a"] = 1 }.ToFrozenDictionary();

        var refusal = _wire.Refusal(new Tally("r", frozen, [], [], [], ImmutableDictionary<string, Line>.Empty, null));

        refusal.Should().Contain("Tally cannot travel").And.Contain("Frozen").And.Contain("allowed-generic-types");
    }

    [Fact]
    public void A_collection_closed_over_a_type_that_is_not_registered_is_refused()
    {
        var refusal = _wire.Refusal(new Nested("r", new List<IReadOnlyList<Line>> { new List<Line>(), new UnregisteredList() }));

        refusal.Should().Contain(nameof(UnregisteredList));
    }

    [Fact]
    public void Names_as_hyperion_writes_them_are_accepted_only_for_listed_definitions_closed_over_allowed_types()
    {
        const string core = "System.Private.CoreLib,%core%";
        Allow.IsAllowed($"System.Collections.Generic.Dictionary`2[[System.String, {core}],[System.Int32, {core}]], {core}").Should().BeTrue();
        Allow.IsAllowed($"System.Collections.Immutable.ImmutableArray`1[[{typeof(Line).FullName}, Actors.Tests]], System.Collections.Immutable")
            .Should().BeTrue();
        Allow.IsAllowed($"System.Collections.Generic.List`1[[System.Collections.Generic.List`1[[System.Guid, {core}]], {core}]], {core}")
            .Should().BeTrue();
        Allow.IsAllowed($"System.Collections.DictionaryEntry, {core}").Should().BeTrue();
        Allow.IsAllowed(typeof(List<Line>).AssemblyQualifiedName!).Should().BeTrue();

        // A listed definition over a type that is not allowed, a definition that is not listed, and non-scalar BCL types.
        Allow.IsAllowed($"System.Collections.Generic.List`1[[System.IO.FileInfo, System.IO.FileSystem]], {core}").Should().BeFalse();
        Allow.IsAllowed($"System.Collections.Generic.SortedSet`1[[System.Int32, {core}]], System.Collections").Should().BeFalse();
        Allow.IsAllowed($"System.Lazy`1[[System.String, {core}]], {core}").Should().BeFalse();
        Allow.IsAllowed($"System.Object, {core}").Should().BeFalse();
        Allow.IsAllowed($"System.Type, {core}").Should().BeFalse();
        Allow.IsAllowed("System.String, Evil").Should().BeFalse();
        Allow.IsAllowed("System.Collections.Generic.List`1[[").Should().BeFalse();
        Allow.IsAllowed(typeof(List<Unregistered>)).Should().BeFalse();
    }

    public sealed record Line(string Item, int Quantity);

    public sealed record Tally(string RequestId, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<string> Order, Line[] Lines,
        ImmutableArray<Line> Immutable, ImmutableDictionary<string, Line> ByKey, IReadOnlyList<int?>? Maybe) : IReply;

    public sealed record Nested(string RequestId, IReadOnlyList<IReadOnlyList<Line>> Groups) : IReply;

    // Not an IActorsMessage and carried by none: not registered.
    public sealed record Unregistered(string Text);

    private sealed class UnregisteredList : List<Line>;
}

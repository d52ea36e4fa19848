using Actors.Client;
using Actors.Entities;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Hosting;

/// <summary>
/// A team's own request types, handler and entity type, defined in this (test) assembly and
/// registered with one AddActors call: the gateway routes them, the serializer's allow-list
/// accepts them and the client sends them, with no change to the Actors assembly.
/// </summary>
public sealed class CustomTypesSpecs(ITestOutputHelper output)
    : NodeSpec(output, "actors.handlers.greet.lane = io", actors => actors
        .AddHandler<Greet>("greet", _ => new GreetHandler())
        .AddHandler<CountLetters>("count-letters", _ => new CountLettersHandler())
        .AddEntityType("cart", _ => new CartHandler()))
{
    [Fact]
    public async Task Own_types_travel_through_the_client_gateway_lane_and_entity()
    {
        await using var client = await ConnectFromAnotherSystemAsync(typeof(Greet).Assembly);

        var greeted = await client.AskAsync<Greeted>(new Greet(client.NewRequestId(), "Ada"), Patience);
        greeted.Text.Should().Be("Hello, Ada");

        await client.AskAsync<CartContents>(new AddItem(client.NewRequestId(), "cart-1", "apple", 2), Patience);
        await client.AskAsync<CartContents>(new AddItem(client.NewRequestId(), "cart-1", "pear", 1), Patience);
        var cart = await client.AskAsync<CartContents>(new AddItem(client.NewRequestId(), "cart-1", "apple", 3), Patience);
        cart.Lines.Should().BeEquivalentTo([new CartLine("apple", 5), new CartLine("pear", 1)]);

        var refused = await client.SendAsync(new AddItem(client.NewRequestId(), "cart-1", "plum", 0), Patience);
        refused.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
    }

    [Fact]
    public async Task A_reply_may_carry_read_only_dictionaries_and_lists()
    {
        await using var client = await ConnectFromAnotherSystemAsync(typeof(Greet).Assembly);

        var counted = await client.AskAsync<LetterCounts>(new CountLetters(client.NewRequestId(), "banana"), Patience);

        counted.Counts.Should().BeEquivalentTo(new Dictionary<string, int> { ["b"] = 1, ["a"] = 3, ["n"] = 2 });
        counted.Order.Should().Equal("a", "b", "n");
    }

    [Fact]
    public async Task A_client_not_told_about_a_type_refuses_it_at_once_with_the_fix_instead_of_throwing()
    {
        await using var client = await ConnectFromAnotherSystemAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var refused = await client.SendAsync(new Greet(client.NewRequestId(), "Ada"), Patience);

        refused.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
        ((ErrorReply)refused).Message.Should().Contain("contracts");
        started.Elapsed.Should().BeLessThan(Patience, "refused before it is sent, not answered Timeout");
    }

    public sealed record Greet(string RequestId, string Name) : IRequest;

    public sealed record Greeted(string RequestId, string Text) : IReply;

    public sealed record CountLetters(string RequestId, string Text) : IRequest;

    public sealed record LetterCounts(string RequestId, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<string> Order) : IReply;

    public interface ICartCommand : IKeyedRequest;

    public sealed record AddItem(string RequestId, string Key, string Item, int Quantity) : ICartCommand;

    public sealed record CartLine(string Item, int Quantity);

    public sealed record CartContents(string RequestId, string Key, CartLine[] Lines) : IReply;

    [JournalManifest("test.cart.state.v1")]
    public sealed record CartState(Dictionary<string, int> Items) : IJournaled;

    public interface ICartEvent : IJournaled;

    [JournalManifest("test.cart.item-added.v1")]
    public sealed record ItemAdded(string Item, int Quantity) : ICartEvent;

    private sealed class CountLettersHandler : IRequestHandler<CountLetters>
    {
        public ValueTask<IReply> HandleAsync(CountLetters request, CancellationToken cancellationToken)
        {
            var counts = request.Text.GroupBy(c => c.ToString()).ToDictionary(g => g.Key, g => g.Count());
            return ValueTask.FromResult<IReply>(new LetterCounts(request.RequestId, counts, counts.Keys.Order().ToList()));
        }
    }

    private sealed class GreetHandler : IRequestHandler<Greet>
    {
        public async ValueTask<IReply> HandleAsync(Greet request, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return new Greeted(request.RequestId, $"Hello, {request.Name}");
        }
    }

    private sealed class CartHandler : IEntityHandler<CartState, ICartCommand, ICartEvent>
    {
        public CartState Initial(string key) => new([]);

        public EntityDecision<CartState, ICartEvent> Decide(CartState state, ICartCommand command) => command switch
        {
            AddItem { Quantity: <= 0 } add => EntityDecision<CartState, ICartEvent>.Reply(Replies.Invalid(add, "quantity must be positive")),
            AddItem add => EntityDecision<CartState, ICartEvent>.Persist(new ItemAdded(add.Item, add.Quantity),
                s => new CartContents(add.RequestId, add.Key, s.Items.Select(i => new CartLine(i.Key, i.Value)).ToArray())),
            _ => EntityDecision<CartState, ICartEvent>.Reply(new ErrorReply(command.RequestId, ErrorCode.UnknownRequest, "?")),
        };

        public CartState Apply(CartState state, ICartEvent @event) => @event switch
        {
            ItemAdded added => new CartState(new Dictionary<string, int>(state.Items)
            {
                [added.Item] = state.Items.GetValueOrDefault(added.Item) + added.Quantity,
            }),
            _ => state,
        };
    }
}

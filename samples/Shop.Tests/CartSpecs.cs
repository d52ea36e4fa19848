using Actors.Protocol;
using Actors.Testing;
using FluentAssertions;
using Shop.Contracts;
using Shop.Node;
using Xunit;

namespace Shop.Tests;

/// <summary>The shop's cart and pricing, on a node started in this test with the shop's own handlers.</summary>
public sealed class CartSpecs : IAsyncLifetime
{
    private ActorsTestNode _node = null!;

    public async Task InitializeAsync() => _node = await ActorsTestNode.StartAsync(
        actors => actors
            .AddHandler<QuotePrice>("quote", _ => new QuoteHandler())
            .AddEntityType("cart", _ => new CartHandler()),
        "actors.handlers.quote.lane = io");

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_cart_adds_removes_and_answers_a_retried_add_without_applying_it_twice()
    {
        var client = _node.Client;
        await client.AskAsync<CartContents>(new AddToCart(client.NewRequestId(), "c1", "apple", 2));
        var add = new AddToCart(client.NewRequestId(), "c1", "pear", 1);
        await client.AskAsync<CartContents>(add);

        var retried = await client.AskAsync<CartContents>(add);
        var removed = await client.AskAsync<CartContents>(new RemoveFromCart(client.NewRequestId(), "c1", "apple"));

        retried.Lines.Should().BeEquivalentTo(new Dictionary<string, int> { ["apple"] = 2, ["pear"] = 1 });
        removed.Lines.Should().BeEquivalentTo(new Dictionary<string, int> { ["pear"] = 1 });
    }

    [Fact]
    public async Task A_quote_prices_known_skus_and_names_the_unknown_ones()
    {
        var client = _node.Client;

        var quote = await client.AskAsync<PriceQuote>(new QuotePrice(client.NewRequestId(),
            new Dictionary<string, int> { ["apple"] = 2, ["kiwi"] = 1 }));

        quote.TotalCents.Should().Be(90);
        quote.Unknown.Should().Equal("kiwi");
    }

    [Fact]
    public async Task A_quantity_out_of_range_is_refused_and_nothing_is_written()
    {
        var client = _node.Client;

        var refused = await client.SendAsync(new AddToCart(client.NewRequestId(), "c2", "apple", 0));
        var cart = await client.AskAsync<CartContents>(new GetCart(client.NewRequestId(), "c2"));

        refused.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
        cart.Lines.Should().BeEmpty();
    }
}

using Actors.Client;
using Actors.Protocol;
using Shop.Contracts;

// A team's client: carts and prices through the shop node's gateway endpoint.
// dotnet run --project samples/Shop.Client -- --contact 127.0.0.1:4070   (exit code 0: the walk-through succeeded)
var contact = args.SkipWhile(a => a != "--contact").Skip(1).DefaultIfEmpty("127.0.0.1:4070").First();
await using var client = ActorsClient.Connect([contact], contracts: [typeof(AddToCart).Assembly]);
var cart = $"cart-{Guid.NewGuid():N}"[..13];

// Writes and a read; each reply is the cart after the command.
await client.AskAsync<CartContents>(new AddToCart(client.NewRequestId(), cart, "apple", 3));
await client.AskAsync<CartContents>(new AddToCart(client.NewRequestId(), cart, "pear", 2));
var contents = await client.AskAsync<CartContents>(new GetCart(client.NewRequestId(), cart));
Console.WriteLine($"{cart}: {string.Join(", ", contents.Lines.OrderBy(l => l.Key).Select(l => $"{l.Value} {l.Key}"))}");

// The same request sent twice (as a retry would) is applied once.
var plum = new AddToCart(client.NewRequestId(), cart, "plum", 1);
await client.AskAsync<CartContents>(plum);
var retried = await client.AskAsync<CartContents>(plum);
Check(retried.Lines["plum"] == 1, $"a retried add applied once: plum = {retried.Lines["plum"]}");

// Stateless work on a lane: price the cart.
var quote = await client.AskAsync<PriceQuote>(new QuotePrice(client.NewRequestId(), retried.Lines));
Console.WriteLine($"{cart} costs {quote.TotalCents / 100m:0.00}");
Check(quote.TotalCents == 3 * 45 + 2 * 60 + 30, $"quote {quote.TotalCents} cents");

// A bulk call: 200 carts, at most 50 requests outstanding, replies in order.
var adds = Enumerable.Range(0, 200).Select(i => (IRequest)new AddToCart(client.NewRequestId(), $"{cart}-{i}", "apple", 1 + i % 3)).ToList();
var replies = await client.MapAsync(adds, window: 50);
Check(replies.All(r => r is CartContents), $"bulk: {replies.Count(r => r is CartContents)} of {adds.Count} carts answered");

// Errors are typed replies: SendAsync returns them, AskAsync throws ActorsRequestException.
var refused = await client.SendAsync(new AddToCart(client.NewRequestId(), cart, "apple", 0));
Check(refused is ErrorReply { Code: ErrorCode.InvalidRequest }, $"a zero quantity is refused: {refused}");
try
{
    await client.AskAsync<CartContents>(new AddToCart(client.NewRequestId(), "", "apple", 1));
    Check(false, "an empty cart id is refused");
}
catch (ActorsRequestException e)
{
    Console.WriteLine($"refused as expected: {e.Code}");
}

Console.WriteLine("walk-through done");
return 0;

static void Check(bool ok, string what)
{
    Console.WriteLine((ok ? "ok: " : "FAILED: ") + what);
    if (!ok)
    {
        Environment.Exit(1);
    }
}

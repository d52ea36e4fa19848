using Actors.Handlers;
using Actors.Protocol;
using Shop.Contracts;

namespace Shop.Node;

/// <summary>
/// Prices lines against a price list. Runs on the io lane (see Program.cs), where a real one
/// would await a pricing service; one instance per worker, disposed with it.
/// </summary>
public sealed class QuoteHandler : IRequestHandler<QuotePrice>
{
    private static readonly Dictionary<string, long> PriceCents = new() { ["apple"] = 45, ["pear"] = 60, ["plum"] = 30 };

    public async ValueTask<IReply> HandleAsync(QuotePrice request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var unknown = request.Lines.Keys.Where(sku => !PriceCents.ContainsKey(sku)).Order().ToList();
        var total = request.Lines.Where(l => PriceCents.ContainsKey(l.Key)).Sum(l => PriceCents[l.Key] * l.Value);
        return new PriceQuote(request.RequestId, total, unknown);
    }
}

using Actors.Protocol;

namespace Shop.Contracts;

/// <summary>Prices a set of lines (SKU to quantity): stateless work for a lane; safe to retry.</summary>
public sealed record QuotePrice(string RequestId, IReadOnlyDictionary<string, int> Lines) : IIdempotentRequest;

/// <summary>The total in cents, and the SKUs the price list does not know.</summary>
public sealed record PriceQuote(string RequestId, long TotalCents, IReadOnlyList<string> Unknown) : IReply;

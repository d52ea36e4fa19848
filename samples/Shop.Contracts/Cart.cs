using System.Collections.Immutable;
using Actors.Entities;
using Actors.Protocol;

namespace Shop.Contracts;

/// <summary>Every command for a cart entity; <see cref="IKeyedRequest.Key"/> is the cart's id.</summary>
public interface ICartCommand : IKeyedRequest;

/// <summary>
/// Adds <paramref name="Quantity"/> of <paramref name="Sku"/>. Retry-safe (<see cref="IIdempotentRequest"/>):
/// the cart remembers the request ids it applied, so a retry with the same id is answered, not applied twice.
/// </summary>
public sealed record AddToCart(string RequestId, string Key, string Sku, int Quantity) : ICartCommand, IIdempotentRequest;

/// <summary>Removes every unit of <paramref name="Sku"/>; retry-safe like <see cref="AddToCart"/>.</summary>
public sealed record RemoveFromCart(string RequestId, string Key, string Sku) : ICartCommand, IIdempotentRequest;

/// <summary>Reads a cart; a read is always safe to retry.</summary>
public sealed record GetCart(string RequestId, string Key) : ICartCommand, IIdempotentRequest;

/// <summary>A cart's lines, SKU to quantity: the reply to every cart command.</summary>
public sealed record CartContents(string RequestId, string CartId, IReadOnlyDictionary<string, int> Lines) : IReply;

/// <summary>What the journal keeps of a cart (its snapshot), stored as JSON under the manifest.</summary>
[JournalManifest("shop.cart.state.v1")]
public sealed record CartState(ImmutableDictionary<string, int> Lines) : IJournaled;

/// <summary>A cart's events, one per change, stored as JSON under their manifests.</summary>
public interface ICartEvent : IJournaled;

[JournalManifest("shop.cart.item-added.v1")]
public sealed record ItemAdded(string Sku, int Quantity) : ICartEvent;

[JournalManifest("shop.cart.item-removed.v1")]
public sealed record ItemRemoved(string Sku) : ICartEvent;

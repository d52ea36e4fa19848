using Actors.Handlers;
using Actors.Protocol;
using Shop.Contracts;

namespace Shop.Node;

/// <summary>
/// The cart entity: decides what a command changes (events and a reply) and applies events to
/// the state. The runtime journals the events before it replies, recovers the state from them,
/// and recognises a retried request id.
/// </summary>
public sealed class CartHandler : IEntityHandler<CartState, ICartCommand, ICartEvent>
{
    public CartState Initial(string key) => new([]);

    public EntityDecision<CartState, ICartEvent> Decide(CartState state, ICartCommand command) => command switch
    {
        AddToCart { Quantity: <= 0 or > 1000 } add => EntityDecision<CartState, ICartEvent>.Reply(Replies.Invalid(add, "quantity must be 1 to 1000")),
        AddToCart add => EntityDecision<CartState, ICartEvent>.Persist(new ItemAdded(add.Sku, add.Quantity), s => Contents(add, s)),
        RemoveFromCart remove when !state.Lines.ContainsKey(remove.Sku) => EntityDecision<CartState, ICartEvent>.Reply(Contents(remove, state)),
        RemoveFromCart remove => EntityDecision<CartState, ICartEvent>.Persist(new ItemRemoved(remove.Sku), s => Contents(remove, s)),
        GetCart get => EntityDecision<CartState, ICartEvent>.Reply(Contents(get, state)),
        _ => EntityDecision<CartState, ICartEvent>.Reply(new ErrorReply(command.RequestId, ErrorCode.UnknownRequest, command.GetType().Name)),
    };

    public CartState Apply(CartState state, ICartEvent @event) => @event switch
    {
        ItemAdded added => new(state.Lines.SetItem(added.Sku, state.Lines.GetValueOrDefault(added.Sku) + added.Quantity)),
        ItemRemoved removed => new(state.Lines.Remove(removed.Sku)),
        _ => state,
    };

    /// <summary>A retried write that was applied already is answered with the cart as it is now.</summary>
    public IReply AlreadyApplied(CartState state, ICartCommand command) => Contents(command, state);

    private static CartContents Contents(ICartCommand command, CartState state) => new(command.RequestId, command.Key, state.Lines);
}

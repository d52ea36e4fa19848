namespace Actors.Protocol;

/// <summary>
/// A request of a type the receiving node's contracts do not hold, as its decoder read it: the
/// type's name and the request's id from the request's envelope, nothing else. The gateway
/// answers it <see cref="ErrorCode.UnknownRequest"/> by that id at once (dropped, its caller
/// would wait for its timeout). Made only by the decoder: no allow-list admits it from the wire.
/// </summary>
public sealed record UnreadableRequest(string RequestId, string TypeName) : IRequest;

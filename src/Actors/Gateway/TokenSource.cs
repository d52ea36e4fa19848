using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Actors.Gateway;

/// <summary>
/// Unguessable correlation tokens for the gateway: cryptographically random, drawn from the OS
/// 256 at a time (one call per 256 requests instead of one per request). One owner, one thread.
/// </summary>
internal sealed class TokenSource
{
    private readonly Guid[] _tokens = new Guid[256];
    private int _next = 256;

    public Guid Next()
    {
        if (_next == _tokens.Length)
        {
            RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(_tokens.AsSpan()));
            _next = 0;
        }

        return _tokens[_next++];
    }
}

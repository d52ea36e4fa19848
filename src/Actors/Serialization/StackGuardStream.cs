using System.Runtime.CompilerServices;

namespace Actors.Serialization;

/// <summary>
/// A read-only view of a frame that refuses to be read deeper than a stack budget. Hyperion
/// reads nested objects by recursion, with no depth limit of its own, so a message nested
/// thousands deep (a batch in a batch in a batch…) would overflow the stack and end the
/// process. Every nested object reads from this stream; past the budget (measured from where
/// decoding started) the read throws, with the stack still deep enough to unwind, and the
/// message is refused like any other undecodable frame.
/// </summary>
/// <remarks>
/// The runtime's own check (<see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/>)
/// leaves too little room: Hyperion catches, wraps and rethrows at every level, and each level
/// of that costs ~15 KiB while unwinding, so an error thrown more than ~90 levels deep overflows
/// a 1.5 MiB stack (measured). The budget (<c>actors.serialization.decode-stack-budget</c>) keeps
/// the depth of any error small. Stacks grow downwards on every platform .NET runs on.
/// </remarks>
internal sealed unsafe class StackGuardStream : MemoryStream
{
    private readonly nuint _floor;

    public StackGuardStream(byte[] bytes, long budgetBytes) : base(bytes, writable: false)
    {
        byte here = 0;
        var top = (nuint)(&here);
        _floor = top > (nuint)budgetBytes ? top - (nuint)budgetBytes : 0;
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new InsufficientExecutionStackException("no stack left to decode a message");
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        Guard();
        return base.Read(buffer, offset, count);
    }

    public override int Read(Span<byte> buffer)
    {
        Guard();
        return base.Read(buffer);
    }

    public override int ReadByte()
    {
        Guard();
        return base.ReadByte();
    }

    private void Guard()
    {
        byte here = 0;
        if ((nuint)(&here) < _floor)
        {
            throw new InsufficientExecutionStackException("message nested too deeply to decode (actors.serialization.decode-stack-budget)");
        }
    }
}

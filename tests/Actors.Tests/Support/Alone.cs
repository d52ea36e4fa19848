using Xunit;

namespace Actors.Tests.Support;

/// <summary>
/// Specs that measure or change the whole process: its heap (other specs' allocations would
/// count), or its ActivitySource listeners (a tracer makes every other spec's client traced, so
/// their requests go in the envelope that carries the trace), or read a process-wide instrument
/// that other specs' nodes record too. No other spec class runs beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "Alone in the process";
}

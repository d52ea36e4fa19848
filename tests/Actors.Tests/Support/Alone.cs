using Xunit;

namespace Actors.Tests.Support;

/// <summary>
/// Specs that measure the whole process (its heap): no other spec class runs beside them, or
/// their figures would count the other specs' allocations.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "Alone in the process";
}

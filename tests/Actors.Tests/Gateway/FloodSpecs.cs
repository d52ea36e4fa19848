using Actors.Client;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

/// <summary>
/// A bounded flood from another actor system: far more than the node serves, all at once.
/// Every request gets exactly one answer, a result or Overloaded, none a timeout, the node refuses
/// beyond its bound (the client retries the refusals), and the heap comes back down. Sizes are small enough for CI (a few seconds).
/// </summary>
[Trait("Category", "Soak")]
[Collection(Alone.Name)]
public sealed class FloodSpecs(ITestOutputHelper output) : NodeSpec(output, Hocon)
{
    private const string Hocon = "actors.admission.max-in-flight = 200\nactors.lanes.cpu.max-in-flight = 100";
    private const int Offered = 20_000;

    [Fact]
    public async Task Under_a_flood_every_request_is_answered_once_with_a_result_or_Overloaded_and_memory_stays_flat()
    {
        await using var client = await ConnectFromAnotherSystemAsync();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var requests = Enumerable.Range(0, Offered).Select(_ => new EstimatePi(client.NewRequestId(), 20_000)).ToList();
        var replies = await Task.WhenAll(requests.Select(r => client.SendAsync(r, TimeSpan.FromSeconds(60))));

        var after = GC.GetTotalMemory(forceFullCollection: true);
        replies.Select(r => r.RequestId).Should().Equal(requests.Select(r => r.RequestId), "one answer per request, each its own");
        var errors = replies.OfType<ErrorReply>().GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Count());
        var served = replies.OfType<PiEstimated>().Count();
        Output!.WriteLine($"offered {Offered}: served {served}, refused {string.Join(", ", errors.Select(e => $"{e.Key} {e.Value}"))}; " +
                         $"heap before {before / 1024 / 1024} MB, after {after / 1024 / 1024} MB");
        errors.Keys.Should().BeSubsetOf([ErrorCode.Overloaded], "refusals are Overloaded, never timeouts");
        served.Should().BePositive();
        // The node refused what it could not take (the client's retries then got much of it served).
        var stats = await Gateway.Ask<Actors.Gateway.GatewayStats>(Actors.Gateway.GetGatewayStats.Instance, Patience);
        Output.WriteLine($"the gateway refused {stats.Rejected} offers Overloaded, retries included");
        stats.Rejected.Should().BePositive("beyond its bound the node refuses instead of queueing");
        (after - before).Should().BeLessThan(64L * 1024 * 1024, "nothing is left queued or pending");
    }
}

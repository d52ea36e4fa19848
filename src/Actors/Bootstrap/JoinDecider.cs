using Akka.Actor;
using Akka.Cluster;

namespace Actors.Bootstrap;

/// <summary>What one member's bootstrap port said: its own address and the members of its cluster (none: in no cluster yet).</summary>
public sealed record ContactPoint(string SelfNode, string[] SeedNodes);

/// <summary>What a member that is in no cluster yet does next.</summary>
public abstract record BootstrapDecision
{
    /// <summary>Ask again after the interval; <paramref name="Why"/> for the log.</summary>
    public sealed record Wait(string Why) : BootstrapDecision;

    /// <summary>A cluster exists: join it through these members.</summary>
    public sealed record Join(Address[] Seeds) : BootstrapDecision;

    /// <summary>No cluster exists and this member is the one to form it.</summary>
    public sealed record Form : BootstrapDecision;
}

/// <summary>
/// The bootstrap's rule, as Akka.Management's lowest-address join decider: a member that finds a
/// cluster joins it; members that find none wait until at least <paramref name="required"/> of them
/// have answered and the set has stayed the same for <paramref name="stableMargin"/>, and then only
/// the lowest address among them forms one. Every member decides from the same answers, so one
/// forms and the rest join it. Pure: times are passed in.
/// </summary>
public sealed class JoinDecider(int required, TimeSpan stableMargin)
{
    private HashSet<string> _seen = [];
    private long _seenSince;

    public BootstrapDecision Decide(Address self, IReadOnlyCollection<ContactPoint> answered, long nowMs)
    {
        var seeds = answered.SelectMany(c => c.SeedNodes).Distinct().Select(Parse).OfType<Address>().ToArray();
        if (seeds.Length > 0)
        {
            return new BootstrapDecision.Join([.. seeds.OrderBy(a => a, Member.AddressOrdering)]);
        }

        var found = answered.Select(c => c.SelfNode).ToHashSet(StringComparer.Ordinal);
        if (!found.SetEquals(_seen))
        {
            _seen = found;
            _seenSince = nowMs;
        }

        var members = found.Select(Parse).OfType<Address>().OrderBy(a => a, Member.AddressOrdering).ToList();
        if (members.Count < required)
        {
            return new BootstrapDecision.Wait($"{members.Count} of the {required} members needed to form a cluster answer");
        }

        if (nowMs - _seenSince < stableMargin.TotalMilliseconds)
        {
            return new BootstrapDecision.Wait($"{members.Count} members answer; waiting {stableMargin} for that to hold");
        }

        if (!members.Contains(self))
        {
            return new BootstrapDecision.Wait("this member is not among those that answer: is its own bootstrap port among the discovered?");
        }

        return members[0] == self ? new BootstrapDecision.Form() : new BootstrapDecision.Wait($"{members[0]}, the lowest address, forms the cluster");
    }

    private static Address? Parse(string address)
    {
        try
        {
            return Address.Parse(address);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            // A peer's answer is untrusted: a malformed address is no member.
            return null;
        }
    }
}

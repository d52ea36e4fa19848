using Actors.Bootstrap;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Clustering;

/// <summary>Reading a Kubernetes pod list: running pods not being deleted, at their IP and the named port.</summary>
public sealed class KubernetesPodsSpecs
{
    [Fact]
    public void Only_running_pods_that_stay_and_carry_the_named_port_are_targets()
    {
        const string pods = """
            {"items":[
              {"metadata":{"name":"a"},"spec":{"containers":[{"ports":[{"name":"gateway","containerPort":4053},{"name":"bootstrap","containerPort":8558}]}]},"status":{"phase":"Running","podIP":"10.1.0.7"}},
              {"metadata":{"name":"b"},"spec":{"containers":[{"ports":[{"name":"bootstrap","containerPort":8558}]}]},"status":{"phase":"Pending","podIP":"10.1.0.8"}},
              {"metadata":{"name":"c","deletionTimestamp":"2026-12-01T00:00:00Z"},"spec":{"containers":[{"ports":[{"name":"bootstrap","containerPort":8558}]}]},"status":{"phase":"Running","podIP":"10.1.0.9"}},
              {"metadata":{"name":"d"},"spec":{"containers":[{"ports":[{"name":"other","containerPort":8558}]}]},"status":{"phase":"Running","podIP":"10.1.0.10"}},
              {"metadata":{"name":"e"},"spec":{"containers":[{"ports":[{"name":"bootstrap","containerPort":99999}]}]},"status":{"phase":"Running","podIP":"10.1.0.11"}},
              {"metadata":{"name":"f"},"spec":{},"status":{"phase":"Running","podIP":"not-an-ip"}},
              "junk"
            ]}
            """;

        var targets = KubernetesPods.Targets(pods, "bootstrap");

        targets.Should().ContainSingle();
        targets[0].Host.Should().Be("10.1.0.7");
        targets[0].Port.Should().Be(8558);
    }

    [Fact]
    public void A_list_without_items_has_no_targets() =>
        KubernetesPods.Targets("""{"kind":"Status","message":"forbidden"}""", "bootstrap").Should().BeEmpty();
}

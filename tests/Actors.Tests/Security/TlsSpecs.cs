using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Actors.Client;
using Actors.Protocol;
using Actors.Security;
using Actors.Tests.Support;
using Akka.Cluster;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Security;

/// <summary>
/// A node on mutual TLS with its cluster's own CA: a member and a client with certificates
/// from that CA are served; a plain-TCP client, and a client or member from another CA, are
/// refused at the handshake.
/// </summary>
public sealed class TlsSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actors-tls", Guid.NewGuid().ToString("N"));
    private readonly List<TestNode> _nodes = [];
    private string Ours => Path.Combine(_folder, "ours");
    private string Theirs => Path.Combine(_folder, "theirs");
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        Certificates.Create(Ours, ["127.0.0.1"], TimeSpan.FromDays(1), password: "");
        Certificates.Create(Theirs, ["127.0.0.1"], TimeSpan.FromDays(1), password: "");
        _node = await StartAsync(Ours);
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_the_clusters_CA_is_served()
    {
        await using var client = ActorsClient.Connect([Contact(_node)], tls: TlsSettings.Load(Ours, Certificates.ClientFile, ""));

        (await client.AskAsync<CounterValue>(new AddToCounter(client.NewRequestId(), "tls", 2), Patience)).Total.Should().Be(2);
    }

    [Fact]
    public async Task A_plain_TCP_client_is_refused()
    {
        await using var client = ActorsClient.Connect([Contact(_node)]);

        (await client.SendAsync(new GetCounter(client.NewRequestId(), "tls"), Refused)).Should().BeOfType<ErrorReply>()
            .Which.Code.Should().Be(ErrorCode.Timeout, "the node never completes a handshake with it");
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_another_CA_is_refused()
    {
        await using var client = ActorsClient.Connect([Contact(_node)], tls: TlsSettings.Load(Theirs, Certificates.ClientFile, ""));

        // Each side refuses the other's certificate; Akka then stops the client's actor system,
        // and the client says so instead of leaving the call unanswered.
        (await client.SendAsync(new GetCounter(client.NewRequestId(), "tls"), Refused)).Should().BeOfType<ErrorReply>()
            .Which.Code.Should().BeOneOf(ErrorCode.Unavailable, ErrorCode.Timeout);
        (await client.SendAsync(new GetCounter(client.NewRequestId(), "tls"), Refused)).Should().BeOfType<ErrorReply>();
    }

    [Fact]
    public async Task Three_members_from_the_same_CA_form_a_cluster_serving_a_TLS_client_and_a_member_from_another_CA_cannot_join()
    {
        var seed = ClusterPort(_node);
        var second = await StartAsync(Ours, seed);
        var third = await StartAsync(Ours, seed);
        var stranger = await StartRefusedAsync(TlsSettings.Load(Theirs, Certificates.NodeFile, ""), seed);

        (await UpWithinAsync(_node, 3, Patience)).Should().BeTrue("members of one CA join each other");
        (await UpWithinAsync(_node, 4, Refused)).Should().BeFalse("the stranger's handshake fails");
        Cluster.Get(_node.System).State.Members.Should().HaveCount(3);
        Cluster.Get(second.System).State.Members.Should().HaveCount(3);
        await using var client = ActorsClient.Connect([Contact(third)], tls: TlsSettings.Load(Ours, Certificates.ClientFile, ""));
        (await client.SendAsync(new AddToCounter(client.NewRequestId(), "three", 1), Patience)).Should().BeOfType<CounterValue>(
            "a TLS client is served by the three-member cluster");
        if (stranger is not null)
        {
            Cluster.Get(stranger.System).State.Members.Should().NotContain(m => m.Address == Cluster.Get(_node.System).SelfAddress);
        }
    }

    [Fact]
    public async Task A_client_certificate_cannot_join_as_a_member_nor_be_served_on_the_cluster_port()
    {
        var client = TlsSettings.Load(Ours, Certificates.ClientFile, "");
        await StartRefusedAsync(client, ClusterPort(_node));

        (await UpWithinAsync(_node, 2, Refused)).Should().BeFalse("the cluster port takes node certificates only");
        await using (var onClusterPort = ActorsClient.Connect([ClusterPort(_node)], tls: client))
        {
            (await onClusterPort.SendAsync(new GetCounter(onClusterPort.NewRequestId(), "tls"), Refused)).Should().BeOfType<ErrorReply>();
        }

        await using var onEndpoint = ActorsClient.Connect([Contact(_node)], tls: client);
        (await onEndpoint.SendAsync(new GetCounter(onEndpoint.NewRequestId(), "tls"), Patience)).Should().BeOfType<CounterValue>();
    }

    [Fact]
    public async Task A_reply_address_on_a_foreign_TLS_server_stops_the_gateway_endpoint_only_for_a_moment()
    {
        await using var honest = ActorsClient.Connect([Contact(_node)], tls: TlsSettings.Load(Ours, Certificates.ClientFile, ""));
        (await honest.SendAsync(new GetCounter(honest.NewRequestId(), "tls"), Patience)).Should().BeOfType<CounterValue>();
        var before = Actors.Hosting.GatewayEndpoint.Of(_node.System);

        // A client of ours names, as the sender of its request, an actor on a system with another
        // CA's certificate: the endpoint connects out to reply, and that handshake fails.
        var foreign = ActorsClient.CreateSystem("foreign", ActorsClient.Config(), TlsSettings.Load(Theirs, Certificates.ClientFile, ""));
        var attacker = ActorsClient.CreateSystem("attacker", ActorsClient.Config(), TlsSettings.Load(Ours, Certificates.ClientFile, ""));
        try
        {
            var replyTo = ((Akka.Actor.ExtendedActorSystem)attacker).Provider.ResolveActorRef(
                $"{((Akka.Actor.ExtendedActorSystem)foreign).Provider.DefaultAddress}/user/sink");
            attacker.ActorSelection($"akka.ssl.tcp://actors@{Contact(_node)}/user/gateway").Tell(new GetCounter("forged", "tls"), replyTo);

            await AwaitAsync(() => Actors.Hosting.GatewayEndpoint.Of(_node.System) is { } now && now != before && !now.WhenTerminated.IsCompleted,
                "the endpoint stopped and opened again");
            (await honest.SendAsync(new GetCounter(honest.NewRequestId(), "tls"), Patience)).Should().BeOfType<CounterValue>(
                "the client reconnects to the reopened endpoint");
        }
        finally
        {
            await attacker.Terminate();
            await foreign.Terminate();
        }
    }

    [Fact]
    public void An_expired_certificate_is_refused_by_the_peer_check_and_at_load()
    {
        // Issued by the cluster's own CA, valid for its first minute only (which has passed).
        using var ca = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(Ours, Certificates.AuthorityKeyFile), "");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=actors-node, OU={Certificates.MemberUnit}", key, HashAlgorithmName.SHA256);
        using var expired = request.Create(ca, ca.NotBefore, ca.NotBefore.AddMinutes(1), [1, 2, 3, 4]);
        using var withKey = expired.CopyWithPrivateKey(key);
        var folder = Path.Combine(_folder, "expired");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Ours, Certificates.AuthorityFile), Path.Combine(folder, Certificates.AuthorityFile));
        File.WriteAllBytes(Path.Combine(folder, Certificates.NodeFile), withKey.Export(X509ContentType.Pkcs12, ""));

        TlsSettings.Load(Ours, Certificates.NodeFile, "").IsIssuedByAuthority(expired).Should().BeFalse("the validator refuses it at the handshake");
        FluentActions.Invoking(() => TlsSettings.Load(folder, Certificates.NodeFile, "")).Should().Throw<FormatException>().WithMessage("*expired*");
    }

    [Fact]
    public void Certificates_keep_private_keys_to_the_owner_and_name_the_node_hosts()
    {
        foreach (var file in new[] { Certificates.AuthorityKeyFile, Certificates.NodeFile, Certificates.ClientFile })
        {
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(Path.Combine(Ours, file)).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
            }
        }

        var tls = TlsSettings.Load(Ours, Certificates.NodeFile, "");
        tls.Certificate.Subject.Should().Contain(Certificates.MemberUnit);
        tls.ExpiresIn.Should().BeCloseTo(TimeSpan.FromDays(1), TimeSpan.FromMinutes(10));
        tls.Certificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>()
            .Single().EnumerateIPAddresses().Should().ContainSingle().Which.ToString().Should().Be("127.0.0.1");
        tls.IsIssuedByAuthority(TlsSettings.Load(Theirs, Certificates.NodeFile, "").Certificate).Should().BeFalse();
        FluentActions.Invoking(() => TlsSettings.Load(Ours, Certificates.NodeFile, "wrong password"))
            .Should().Throw<FormatException>().WithMessage("*certs*");
    }

    private async Task<TestNode> StartAsync(string certificates, string? seed = null)
    {
        var node = await TestNode.StartAsync(TempJournal.NewPath(), seeds: seed is null ? null : [seed],
            tls: TlsSettings.Load(certificates, Certificates.NodeFile, ""));
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Starts a node the cluster will refuse. Akka.NET runs CoordinatedShutdown on a system whose
    /// outgoing TLS handshake fails, so it may stop while it starts: then null.
    /// </summary>
    private async Task<TestNode?> StartRefusedAsync(TlsSettings tls, string seed)
    {
        try
        {
            var node = await TestNode.StartAsync(TempJournal.NewPath(), seeds: [seed], tls: tls);
            _nodes.Add(node);
            return node;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Contact(TestNode node) => node.Contact;

    private static string ClusterPort(TestNode node) => $"127.0.0.1:{Cluster.Get(node.System).SelfAddress.Port}";

    private static async Task AwaitAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException($"not within {Patience}: {what}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls until <paramref name="node"/> sees this many members Up; false when <paramref name="within"/> passes first.</summary>
    private static async Task<bool> UpWithinAsync(TestNode node, int members, TimeSpan within)
    {
        var cluster = Cluster.Get(node.System);
        var until = DateTime.UtcNow + within;
        while (cluster.State.Members.Count(m => m.Status == MemberStatus.Up) < members)
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(PollInterval);
        }

        return true;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
            TempJournal.Delete(node.JournalPath);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

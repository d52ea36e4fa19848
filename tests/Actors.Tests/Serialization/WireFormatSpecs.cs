using System.Runtime.CompilerServices;
using Actors.Gateway;
using Actors.Protocol;
using Actors.Serialization;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Serialization;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Serialization;

/// <summary>
/// Pins the protocol on the wire: the type names a node and a client accept, and the bytes of
/// each message on the client port (MessagePack) and between members (Hyperion). A rolling
/// upgrade needs neighbouring versions to read each other's bytes, so a change here must be a
/// deliberate one: run with ACTORS_WRITE_GOLDEN=1 to rewrite the files, and say so in the changelog.
/// </summary>
public sealed class WireFormatSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    private static readonly Guid Token = Guid.Parse("6f1c0b2e-8d4a-4e55-9a3b-2c7d1e0f9a81");
    private static readonly DateTime Deadline = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    private const string Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static readonly (string Name, IActorsMessage Message)[] ClientMessages =
    [
        ("EstimatePi", new EstimatePi("r1", 1000)),
        ("AddToCounter", new AddToCounter("r2", "alice", 5)),
        ("GetCounter", new GetCounter("r3", "alice")),
        ("CounterValue", new CounterValue("r2", "alice", 5)),
        ("AlreadyApplied", new AlreadyApplied("r2")),
        ("ErrorReply", new ErrorReply("r4", ErrorCode.Overloaded, "busy", TimeSpan.FromMilliseconds(250))),
        ("RequestBatch", new RequestBatch("b1", [new AddToCounter("b1-1", "k", 1), new GetCounter("b1-2", "k")], AnswerAsCompleted: true)),
        ("BatchReply", new BatchReply("b1", [new CounterValue("b1-1", "k", 1), new ErrorReply("b1-2", ErrorCode.Timeout, "late")])),
        ("TimedRequest", new TimedRequest(new GetCounter("r5", "k"), TimeSpan.FromSeconds(5))),
        ("TracedTimedRequest", new TimedRequest(new GetCounter("r8", "k"), TimeSpan.FromSeconds(5), [Traceparent])),
        ("GetGatewayContacts", new GetGatewayContacts()),
        ("GatewayContacts", new GatewayContacts(["127.0.0.1:4053", "127.0.0.1:4054"], Leaving: false,
            [new ShardHomes("Actors.Protocol.ICounterCommand", [0, 1, -1])])),
        ("ClusterStatus", new ClusterStatus("r6", [new NodeStatus("akka.tcp://actors@127.0.0.1:4153", "Up", "actors-gateway:4053", true,
            2, 10.5, 3.25, 1, 0, [new EntityTypeStatus("counter", 3, 7)], [new LaneStatus("cpu", 1, 2)],
            [new ErrorCount("Overloaded", 4)])])),
    ];

    private static readonly (string Name, IActorsMessage Message)[] MemberMessages =
    [
        .. ClientMessages,
        ("RoutedRequest", new RoutedRequest(Token, new AddToCounter("r7", "bob", -3), Deadline, "akka.tcp://actors@127.0.0.1:4153/user/gateway")),
        ("TracedRoutedRequest", new RoutedRequest(Token, new AddToCounter("r9", "bob", 1), Deadline, "akka.tcp://actors@127.0.0.1:4153/user/gateway",
            Traceparent)),
        ("RoutedReply", new RoutedReply(Token, new CounterValue("r7", "bob", -3))),
    ];

    [Fact]
    public void The_type_names_a_node_accepts_are_pinned() =>
        Compare("wire-types.txt", ProtocolTypes.For(new global::Actors.Hosting.ActorsBuilder().ProtocolAssemblies).GetStringList("actors.serialization.registered-types").ToList());

    [Fact]
    public void Messages_on_the_client_port_read_and_write_as_pinned() =>
        Pin("client-wire.txt", new ClientProtocolSerializer((ExtendedActorSystem)Sys), ClientMessages);

    [Fact]
    public void Messages_between_members_read_and_write_as_pinned() =>
        Pin("member-wire.txt", new ProtocolSerializer((ExtendedActorSystem)Sys), MemberMessages);

    private static void Pin(string file, Serializer serializer, (string Name, IActorsMessage Message)[] messages)
    {
        var lines = messages.Select(m => $"{m.Name} {Convert.ToHexString(serializer.ToBinary(m.Message))}").ToList();
        Compare(file, lines);
        foreach (var line in Golden(file))
        {
            var (name, hex) = (line[..line.IndexOf(' ')], line[(line.IndexOf(' ') + 1)..]);
            var expected = messages.Single(m => m.Name == name).Message;
            var read = serializer.FromBinary(Convert.FromHexString(hex), typeof(object));
            read.Should().BeOfType(expected.GetType(), $"{name} as pinned reads back");
            if (expected.GetType().GetProperties().Length > 0)
            {
                read.Should().BeEquivalentTo(expected, o => o.RespectingRuntimeTypes(), $"{name} as pinned reads back");
            }
        }
    }

    private static void Compare(string file, IReadOnlyList<string> actual)
    {
        if (Environment.GetEnvironmentVariable("ACTORS_WRITE_GOLDEN") == "1")
        {
            File.WriteAllLines(Path.Combine(SourceFolder(), "golden", file), actual);
        }

        actual.Should().Equal(Golden(file), $"golden/{file} pins the wire; a change there is a wire change (see this class)");
    }

    private static string[] Golden(string file) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Serialization", "golden", file)).Where(l => l.Length > 0).ToArray();

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}

using Actors.Gateway;
using Actors.Protocol;
using Actors.Tests.Support;
using Actors.TestSupport;
using Akka.Actor;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Security;

/// <summary>
/// Another actor system that does what an honest client would not: forged control messages,
/// forged replies, JSON with type names, a batch nested far too deep. Each is refused, the node
/// keeps serving, and honest callers get their own, correct replies.
/// </summary>
public sealed class HostileClientSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    // Messages from one system to another arrive in the order sent: a request sent after the
    // offending message is handled after it, so its answer shows the node as the offence left it.

    [Fact]
    public void The_gateway_endpoint_lets_through_requests_and_nothing_else()
    {
        var attacker = StartAttacker();
        var probe = CreateTestProbe(attacker);

        // Member-only actors cannot be looked up through the port clients use: those selections
        // are dropped (no answer at all), only /user/gateway answers.
        foreach (var path in new[] { "/system/sharding/counter", "/system/cluster/core/daemon", "/user/status", "/user", "/system" })
        {
            attacker.ActorSelection(EndpointPath(path)).Tell(new Identify(path), probe.Ref);
        }

        attacker.ActorSelection(EndpointPath("/user/gateway")).Tell(new Identify("gateway"), probe.Ref);
        var identity = probe.ExpectMsg<ActorIdentity>(Patience);
        identity.MessageId.Should().Be("gateway");
        var gateway = identity.Subject!;
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        // Lifecycle messages, by selection or straight to the ref, and an envelope meant for
        // lanes and entities: none of it stops the gateway or is carried out.
        attacker.ActorSelection(EndpointPath("/user/gateway")).Tell(PoisonPill.Instance);
        gateway.Tell(PoisonPill.Instance);
        gateway.Tell(Kill.Instance);
        var key = $"forged-envelope-{Id()}";
        gateway.Tell(new RoutedRequest(Guid.NewGuid(), new AddToCounter(Id(), key, 100), DateTime.UtcNow.AddMinutes(1)), probe.Ref);
        gateway.Tell(new AddToCounter(Id(), key, 1), probe.Ref);

        probe.ExpectMsg<IReply>(Patience).Should().BeOfType<CounterValue>().Which.Total.Should().Be(1, "the forged envelope was not carried out");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_forged_drain_is_refused_and_the_gateway_keeps_serving()
    {
        var attacker = StartAttacker();
        var probe = CreateTestProbe(attacker);
        var gateway = attacker.ActorSelection(EndpointPath("/user/gateway"));

        gateway.Tell(new DrainGateway(TimeSpan.FromSeconds(1)), probe.Ref);
        gateway.Tell(new AddToCounter(Id(), "after-drain", 1), probe.Ref);

        probe.ExpectMsg<IReply>(Patience).Should().BeOfType<CounterValue>("a drain from the wire has no serializer: the node is not leaving");
    }

    [Fact]
    public void A_forged_reply_with_a_callers_id_is_not_delivered()
    {
        var attacker = StartAttacker();
        var caller = CreateTestProbe(attacker);
        var gateway = attacker.ActorSelection(EndpointPath("/user/gateway"));
        var id = Id();

        gateway.Tell(new SleepFor(id, 1500), caller.Ref);
        gateway.Tell(new Slept(id, 42));
        gateway.Tell(new RoutedReply(Guid.NewGuid(), new Slept(id, 42)));
        gateway.Tell(new RequestUndelivered(Guid.NewGuid(), id, "forged"));

        caller.ExpectMsg<IReply>(Patience).Should().Be(new Slept(id, 1500), "only the reply carrying the gateway's token completes a request");
        caller.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Types_outside_the_allow_list_sent_as_JSON_never_reach_an_actor()
    {
        Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        var attacker = StartAttacker();
        var probe = CreateTestProbe(attacker);
        var echo = attacker.ActorSelection(NodePath("/user/echo"));

        echo.Tell(new Dictionary<string, object> { ["v"] = new Version(1, 2) }, probe.Ref);
        echo.Tell("ping", probe.Ref);

        probe.ExpectMsg<string>(Patience).Should().Be("echo: String", "strings have a serializer of their own");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Batches_nested_thousands_deep_and_lying_length_fields_are_refused_and_the_node_keeps_serving()
    {
        var attacker = StartAttacker();
        var probe = CreateTestProbe(attacker);
        var hyperion = Attacker.NestedBatchBytes(attacker, 20_000);
        var client = Attacker.NestedClientBatch(15_000);
        hyperion.Length.Should().BeLessThan(1024 * 1024, "it fits in one frame");
        client.Length.Should().BeLessThan(1024 * 1024, "it fits in one frame");
        var gateway = attacker.ActorSelection(EndpointPath("/user/gateway"));

        // In Hyperion to the cluster port, in MessagePack to the client port.
        attacker.ActorSelection(NodePath("/user/gateway")).Tell(new RawFrame(hyperion), probe.Ref);
        gateway.Tell(new RawClientFrame(client), probe.Ref);
        gateway.Tell(new RawClientFrame(Attacker.GetCounterWithHugeLength()), probe.Ref);
        gateway.Tell(new GetCounter(Id(), "after-bomb"), probe.Ref);

        probe.ExpectMsg<IReply>(Patience).Should().BeOfType<CounterValue>();
    }

    [Fact]
    public void The_protocol_serializer_refuses_a_message_nested_deeper_than_the_stack_allows()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(RequestBatch));
        serializer.Should().BeOfType<Actors.Serialization.ProtocolSerializer>();
        var bytes = Attacker.NestedBatchBytes(Sys, 20_000);

        // On a thread with the thread pool's stack size, like the transport's.
        Exception? caught = null;
        var reader = new Thread(() => caught = Record.Exception(() => serializer.FromBinary(bytes, typeof(object))), 1536 * 1024);
        reader.Start();
        reader.Join();

        caught.Should().BeOfType<System.Runtime.Serialization.SerializationException>().Which.Message.Should().Contain("nested too deeply");
        var shallow = Attacker.NestedBatchBytes(Sys, 3);
        serializer.FromBinary(shallow, typeof(object)).Should().BeOfType<RequestBatch>();
    }

    [Fact]
    public void An_envelope_without_its_payload_is_refused_when_received()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(RoutedRequest));
        var empty = serializer.ToBinary(new RoutedRequest(Guid.NewGuid(), null!, DateTime.UtcNow));

        FluentActions.Invoking(() => serializer.FromBinary(empty, typeof(object)))
            .Should().Throw<System.Runtime.Serialization.SerializationException>();
    }

    [Fact]
    public async Task A_nested_batch_item_is_refused_and_its_siblings_are_answered()
    {
        var inner = new RequestBatch(Id(), [new GetCounter(Id(), "k")]);
        var reply = await Expect<BatchReply>(new RequestBatch(Id(), [inner, new GetCounter(Id(), "k")]));

        reply.Items[0].Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
        reply.Items[1].Should().BeOfType<CounterValue>();
    }

    [Fact]
    public async Task FailRate_is_refused_where_the_node_does_not_enable_failure_injection()
    {
        (await ExpectError(new SleepFor(Id(), 1, FailRate: 1), ErrorCode.InvalidRequest)).Message.Should().Contain("failure-injection");
        await Expect<Slept>(new SleepFor(Id(), 1));
    }

    [Fact]
    public async Task Two_hundred_offending_messages_cost_one_log_line()
    {
        await EventFilter.Warning(contains: "sent to the gateway").ExpectAsync(1, async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                Gateway.Tell($"junk-{i}", TestActor);
            }

            // Behind the junk in the gateway's mailbox: when this is answered, all of it was handled.
            await Expect<PiEstimated>(new EstimatePi(Id(), 1000));
        });
    }

    private ActorSystem StartAttacker()
    {
        var system = Attacker.Create();
        _attackers.Add(system);
        return system;
    }

    private readonly List<ActorSystem> _attackers = [];

    private string NodePath(string path)
    {
        var self = Akka.Cluster.Cluster.Get(Sys).SelfAddress;
        return $"akka.tcp://actors@{self.Host}:{self.Port}{path}";
    }

    protected override void AfterAll()
    {
        foreach (var system in _attackers)
        {
            system.Terminate().Wait(Patience);
        }

        base.AfterAll();
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell($"echo: {message.GetType().Name}"));
    }
}

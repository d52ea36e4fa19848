using Actors.Client;
using Actors.Protocol;
using Actors.Tests.Support;
using Akka.Actor;
using Akka.Cluster;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Client;

/// <summary>The client from a separate actor system, through ClusterClient and the receptionist.</summary>
public sealed class ActorsClientSpecs(ITestOutputHelper output) : NodeSpec(output)
{
    [Fact]
    public async Task Pi_and_counter_requests_from_another_actor_system_get_their_replies()
    {
        await using var client = await ConnectFromAnotherSystemAsync();

        var pi = await client.AskAsync<PiEstimated>(new EstimatePi(client.NewRequestId(), 100_000));
        pi.Estimate.Should().BeApproximately(Math.PI, 0.1);

        var key = Guid.NewGuid().ToString("N");
        (await client.AskAsync<CounterValue>(new AddToCounter(client.NewRequestId(), key, 20))).Total.Should().Be(20);
        (await client.AskAsync<CounterValue>(new AddToCounter(client.NewRequestId(), key, 22))).Total.Should().Be(42);
        (await client.AskAsync<CounterValue>(new GetCounter(client.NewRequestId(), key))).Total.Should().Be(42);
    }

    [Fact]
    public async Task Many_concurrent_requests_are_each_answered_once_with_their_own_id()
    {
        await using var client = await ConnectFromAnotherSystemAsync();
        var requests = Enumerable.Range(0, 500)
            .Select(i => (IRequest)new AddToCounter(client.NewRequestId(), $"k{i % 20}", 1)).ToList();

        var replies = await Task.WhenAll(requests.Select(r => client.SendAsync(r)));

        replies.Select(r => r.RequestId).Should().Equal(requests.Select(r => r.RequestId));
        replies.Should().AllBeOfType<CounterValue>();
    }

    [Fact]
    public async Task An_error_reply_arrives_typed_and_AskAsync_throws_it()
    {
        await using var client = await ConnectFromAnotherSystemAsync();

        var reply = await client.SendAsync(new AddToCounter(client.NewRequestId(), "", 1));
        reply.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);

        var act = () => client.AskAsync<PiEstimated>(new EstimatePi(client.NewRequestId(), -1));
        (await act.Should().ThrowAsync<ActorsRequestException>()).Which.Code.Should().Be(ErrorCode.InvalidRequest);
    }

    [Fact]
    public async Task A_request_nobody_answers_completes_with_Timeout()
    {
        var silent = CreateTestProbe();
        await using var client = ActorsClient.ForGateway(Sys, silent.Ref);

        var request = new GetCounter(client.NewRequestId(), "k");
        var reply = await client.SendAsync(request, TimeSpan.FromMilliseconds(300));

        reply.Should().BeEquivalentTo(new { request.RequestId, Code = ErrorCode.Timeout });
        silent.ExpectMsg<GetCounter>().Should().Be(request);
        // A reply after the timeout changes nothing: the caller already has its one answer.
        silent.Reply(new CounterValue(request.RequestId, "k", 1));
    }

    [Fact]
    public async Task A_duplicate_request_id_in_flight_is_refused_by_the_client()
    {
        var silent = CreateTestProbe();
        await using var client = ActorsClient.ForGateway(Sys, silent.Ref);
        var id = client.NewRequestId();

        var first = client.SendAsync(new GetCounter(id, "k"), TimeSpan.FromSeconds(5));
        var second = await client.SendAsync(new GetCounter(id, "k"), TimeSpan.FromSeconds(5));

        second.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
        silent.ExpectMsg<GetCounter>();
        silent.Reply(new CounterValue(id, "k", 7));
        ((CounterValue)await first).Total.Should().Be(7);
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_the_call()
    {
        var silent = CreateTestProbe();
        await using var client = ActorsClient.ForGateway(Sys, silent.Ref);
        using var cancel = new CancellationTokenSource();

        var call = client.SendAsync(new GetCounter(client.NewRequestId(), "k"), TimeSpan.FromSeconds(30), cancel.Token);
        silent.ExpectMsg<GetCounter>();
        await cancel.CancelAsync();

        await call.Invoking(c => c).Should().ThrowAsync<TaskCanceledException>();
    }

}

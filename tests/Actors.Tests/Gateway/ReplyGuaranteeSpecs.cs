using Actors.Client;
using Actors.Entities;
using Actors.Handlers;
using Actors.Protocol;
using Actors.Tests.Support;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Actors.Tests.Gateway;

/// <summary>Edges where a request could go unanswered or a write half-happen.</summary>
public sealed class ReplyGuaranteeSpecs(ITestOutputHelper output) : NodeSpec(output, "", actors => actors
    .AddHandler<ReturnsNothing>("returns-nothing", _ => new ReturnsNothingHandler())
    .AddEntityType("fragile", _ => new FragileHandler()))
{
    [Fact]
    public async Task An_entity_whose_apply_throws_answers_HandlerFailed_writes_nothing_and_keeps_serving()
    {
        var key = Id();
        (await Expect<Total>(new AddFragile(Id(), key, 2))).Value.Should().Be(2);

        var error = await ExpectError(new AddFragile(Id(), key, 13), ErrorCode.HandlerFailed);

        error.Message.Should().Contain("13");
        (await Expect<Total>(new AddFragile(Id(), key, 3))).Value.Should().Be(5, "the refused 13 left no event behind");
    }

    [Fact]
    public async Task A_handler_that_returns_no_reply_is_answered_HandlerFailed()
    {
        (await ExpectError(new ReturnsNothing(Id()), ErrorCode.HandlerFailed)).Message.Should().Contain("no reply");
        (await ExpectError(new ReturnsNothing(Id()), ErrorCode.HandlerFailed)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_batch_built_by_the_caller_gets_its_batch_reply_through_the_client()
    {
        await using var client = ActorsClient.ForGateway(Sys, Gateway);
        var batch = new RequestBatch(client.NewRequestId(),
            [new GetCounter(client.NewRequestId(), "a"), new EstimatePi(client.NewRequestId(), 100)]);

        var reply = await client.SendAsync(batch, Patience);

        reply.Should().BeOfType<BatchReply>().Which.Items.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_disposed_client_answers_at_once_instead_of_hanging()
    {
        var client = ActorsClient.ForGateway(Sys, Gateway);
        await client.DisposeAsync();

        var reply = await client.SendAsync(new GetCounter(client.NewRequestId(), "k"), Patience);

        reply.Should().BeOfType<ErrorReply>().Which.Code.Should().Be(ErrorCode.Unavailable);
    }

    public sealed record ReturnsNothing(string RequestId) : IRequest;

    public sealed record AddFragile(string RequestId, string Key, int Amount) : IKeyedRequest;

    public sealed record Total(string RequestId, int Value) : IReply;

    [JournalManifest("test.fragile.state.v1")]
    public sealed record FragileState(int Value) : IJournaled;

    [JournalManifest("test.fragile.added.v1")]
    public sealed record FragileAdded(int Amount) : IJournaled;

    private sealed class ReturnsNothingHandler : IRequestHandler<ReturnsNothing>
    {
        public ValueTask<IReply> HandleAsync(ReturnsNothing request, CancellationToken cancellationToken) => ValueTask.FromResult<IReply>(null!);
    }

    /// <summary>Its Apply throws on 13: a bug that must not reach the journal.</summary>
    private sealed class FragileHandler : IEntityHandler<FragileState, AddFragile, FragileAdded>
    {
        public FragileState Initial(string key) => new(0);

        public EntityDecision<FragileState, FragileAdded> Decide(FragileState state, AddFragile command) =>
            EntityDecision<FragileState, FragileAdded>.Persist(new FragileAdded(command.Amount), s => new Total(command.RequestId, s.Value));

        public FragileState Apply(FragileState state, FragileAdded @event) =>
            @event.Amount == 13 ? throw new InvalidOperationException("cannot apply 13") : new FragileState(state.Value + @event.Amount);
    }
}

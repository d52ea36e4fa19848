using Actors.Storage;
using Akka.Persistence.Sql.Journal.Types;

namespace Actors.Tests.Storage;

/// <summary>A journal writer's committer that commits by running <paramref name="commit"/>; says when the writer first entered it.</summary>
internal sealed class ScriptedCommitter(Action<IReadOnlyList<GroupCommitQueue<JournalRow>.PendingWrite>> commit) : IJournalCommitter
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Commit(IReadOnlyList<GroupCommitQueue<JournalRow>.PendingWrite> writes)
    {
        Entered.TrySetResult();
        commit(writes);
    }

    public void Dispose()
    {
    }
}

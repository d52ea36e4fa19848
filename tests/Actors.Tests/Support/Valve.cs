namespace Actors.Tests.Support;

/// <summary>Holds handlers until a spec opens it (once, for good).</summary>
public sealed class Valve
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Opened => _open.Task;

    public void Open() => _open.TrySetResult();
}

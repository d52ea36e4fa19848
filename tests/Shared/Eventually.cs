namespace Actors.TestSupport;

/// <summary>
/// Waits for a condition the system reaches on its own time (a member Up, a probe's answer, rows
/// deleted): reads every <c>poll</c> until it holds or the limit passes, then fails with the last
/// value read. Generous limits, short polls: a loaded machine only makes it slower, never red.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>The first value read for which <paramref name="done"/> holds.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string what)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{what}: not within {within}; last read: {value}");
            }

            await Task.Delay(Poll);
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds.</summary>
    public static Task UntilAsync(Func<bool> done, TimeSpan within, string what) =>
        UntilAsync(() => Task.FromResult(done()), held => held, within, what);
}

using Xunit.Abstractions;

namespace Actors.TestSupport;

/// <summary>
/// Figures a test measured (failover seconds, requests served, writes lost). They go to the
/// test's output and are appended to the file named by <c>ACTORS_TEST_FIGURES</c>, which
/// <c>.ci/run</c> prints after the tests (a passing test's output is not shown otherwise).
/// </summary>
public static class Figures
{
    private static readonly Lock Gate = new();

    public static void Record(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("ACTORS_TEST_FIGURES") is { Length: > 0 } file)
        {
            lock (Gate)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }
}

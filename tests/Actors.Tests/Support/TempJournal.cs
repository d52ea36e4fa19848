namespace Actors.Tests.Support;

/// <summary>Journal files under the temp folder, one set per spec.</summary>
public static class TempJournal
{
    public static string NewPath() =>
        Path.Combine(Path.GetTempPath(), "actors-tests", Guid.NewGuid().ToString("N"), "journal.db");

    /// <summary>The snapshot store's file beside a journal (node.conf: "&lt;name&gt;-snapshots.db").</summary>
    public static string SnapshotsOf(string journalPath) =>
        Path.Combine(Path.GetDirectoryName(journalPath)!, Path.GetFileNameWithoutExtension(journalPath) + "-snapshots.db");

    public static void Delete(string journalPath)
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(journalPath)!, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open is left for the OS to clean.
        }
    }
}

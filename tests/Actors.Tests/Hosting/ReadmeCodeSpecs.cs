using FluentAssertions;
using Xunit;

namespace Actors.Tests.Hosting;

/// <summary>
/// The README's code is the samples' code: every C# block that names a file under samples/ in
/// its first line holds lines of that file, in order, so what a reader copies compiles and runs
/// (the samples are built with the solution and run against each other by the cluster specs).
/// </summary>
public sealed class ReadmeCodeSpecs
{
    [Fact]
    public void Every_sample_block_in_the_readme_is_taken_from_its_sample_file()
    {
        var root = RepositoryRoot();
        var blocks = SampleBlocks(File.ReadAllLines(Path.Combine(root, "README.md"))).ToList();

        blocks.Should().HaveCountGreaterThanOrEqualTo(4);
        foreach (var (file, lines) in blocks)
        {
            var source = File.ReadAllLines(Path.Combine(root, file)).Select(l => l.Trim()).ToList();
            var at = 0;
            foreach (var line in lines)
            {
                var found = source.FindIndex(at, l => l == line);
                found.Should().BeGreaterThanOrEqualTo(0, $"README's block from {file} has \"{line}\", which is not in the file (after line {at})");
                at = found + 1;
            }
        }
    }

    private static IEnumerable<(string File, List<string> Lines)> SampleBlocks(string[] readme)
    {
        for (var i = 0; i < readme.Length; i++)
        {
            if (readme[i] != "```csharp" || i + 1 >= readme.Length || !readme[i + 1].StartsWith("// samples/", StringComparison.Ordinal))
            {
                continue;
            }

            var file = readme[i + 1]["// ".Length..];
            var lines = readme.Skip(i + 2).TakeWhile(l => l != "```").Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            yield return (file, lines);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no Actors.sln above " + AppContext.BaseDirectory);
    }
}

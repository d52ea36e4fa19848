using Actors.Storage;
using FluentAssertions;
using Xunit;

namespace Actors.Tests.Storage;

/// <summary>
/// The journal's rows in PostgreSQL's binary COPY format, byte for byte as the server's
/// documentation of COPY BINARY gives it (the PostgreSQL specs send them to a real server).
/// </summary>
public sealed class PostgresCopyRowsSpecs
{
    private static readonly byte[] Header = [.. "PGCOPY\n"u8, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    [Fact]
    public void Each_value_is_its_length_then_its_big_endian_or_utf8_bytes()
    {
        var rows = new PostgresCopyRows();
        rows.Start();
        rows.Row(6);
        rows.Field(null, "a");
        rows.Field(0x0102030405060708L, "b");
        rows.Field(-2, "c");
        rows.Field(true, "d");
        rows.Field("é", "e");
        rows.Field(new byte[] { 9, 8 }, "f");

        rows.Finish().ToArray().Should().Equal([
            .. Header,
            0, 6,
            0xFF, 0xFF, 0xFF, 0xFF,
            0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,
            0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFE,
            0, 0, 0, 1, 1,
            0, 0, 0, 2, 0xC3, 0xA9,
            0, 0, 0, 2, 9, 8,
            0xFF, 0xFF,
        ]);
    }

    [Fact]
    public void A_new_copy_starts_from_the_header_again()
    {
        var rows = new PostgresCopyRows();
        rows.Start();
        rows.Row(1);
        rows.Field(new byte[100_000], "message");
        rows.Finish();

        rows.Start();
        rows.Row(1);
        rows.Field(false, "deleted");

        rows.Finish().ToArray().Should().Equal([.. Header, 0, 1, 0, 0, 0, 1, 0, 0xFF, 0xFF]);
    }

    [Fact]
    public void A_value_of_a_type_the_writer_cannot_send_is_refused_by_its_column()
    {
        var rows = new PostgresCopyRows();
        rows.Start();
        rows.Row(1);

        var send = () => rows.Field(DateTime.UnixEpoch, "created");

        send.Should().Throw<NotSupportedException>().WithMessage("*column created as DateTime*group-commit-writer = off*");
    }
}

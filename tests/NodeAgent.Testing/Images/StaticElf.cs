using System.Buffers.Binary;

namespace NodeAgent.Testing.Images;

/// <summary>
/// Checks that a host binary can run alone in an image: an ELF file without a PT_INTERP program
/// header (no dynamic loader, so no libc needed in the image).
/// </summary>
public static class StaticElf
{
    private const uint ProgramHeaderInterpreter = 3;

    public static async Task EnsureStaticAsync(string path, string providingPackage, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{path} is missing: test images need it as a static binary. Install the Debian package '{providingPackage}'.");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var problem = Inspect(bytes);
        if (problem is not null)
        {
            throw new InvalidOperationException(
                $"{path} {problem}, so it cannot run in an image without a libc. Install the Debian package '{providingPackage}' (statically linked).");
        }
    }

    /// <summary>Returns why the bytes are not a static ELF executable, or null when they are.</summary>
    public static string? Inspect(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            return "is not an ELF binary";
        }

        var is64 = elf[4] == 2;
        var little = elf[5] == 1;
        var programHeaders = is64 ? ReadUInt64(elf, 0x20, little) : ReadUInt32(elf, 0x1C, little);
        var entrySize = ReadUInt16(elf, is64 ? 0x36 : 0x2A, little);
        var count = ReadUInt16(elf, is64 ? 0x38 : 0x2C, little);
        for (var i = 0; i < count; i++)
        {
            var offset = programHeaders + ((ulong)i * entrySize);
            if (offset + 4 > (ulong)elf.Length)
            {
                return "has a truncated program header table";
            }

            if (ReadUInt32(elf, (int)offset, little) == ProgramHeaderInterpreter)
            {
                return "is dynamically linked (it names an ELF interpreter)";
            }
        }

        return null;
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> bytes, int offset, bool little) => little
        ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..])
        : BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes, int offset, bool little) => little
        ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..])
        : BinaryPrimitives.ReadUInt32BigEndian(bytes[offset..]);

    private static ulong ReadUInt64(ReadOnlySpan<byte> bytes, int offset, bool little) => little
        ? BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..])
        : BinaryPrimitives.ReadUInt64BigEndian(bytes[offset..]);
}

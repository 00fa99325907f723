using System.Buffers.Binary;
using System.Text;

namespace CamNotebooks.Setup;

/// <summary>
/// A 64-bit little-endian ELF shared object held in memory, with just enough structure exposed to read and
/// patch its dynamic symbol versioning (the sections the glibc loader checks before it will load a library).
/// </summary>
/// <remarks>
/// Written by hand: no maintained .NET package for editing ELF version sections was available here, and the
/// edits needed are a few fixed-size byte writes. Layouts follow the System V ABI and the LSB
/// "Symbol Versioning" chapter.
/// </remarks>
internal sealed class ElfImage
{
    private const uint SectionTypeDynamic = 6;
    private const uint SectionTypeDynamicSymbols = 11;
    private const uint SectionTypeVersionDefinitions = 0x6ffffffd;
    private const uint SectionTypeVersionNeeds = 0x6ffffffe;
    private const uint SectionTypeVersionSymbols = 0x6fffffff;
    private const int SymbolSize = 24;

    private readonly string _path;

    private ElfImage(string path, byte[] bytes)
    {
        _path = path;
        Bytes = bytes;
    }

    /// <summary>The file's bytes; patches write into this array.</summary>
    public byte[] Bytes { get; }

    /// <summary>Reads and validates an ELF64 little-endian file.</summary>
    public static ElfImage Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new NativeSetupException($"'{path}' is not an ELF file.");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new NativeSetupException($"'{path}' is not a 64-bit little-endian ELF file.");
        return new ElfImage(path, bytes);
    }

    private Span<byte> At(long offset, int length)
    {
        if (offset < 0 || offset + length > Bytes.Length)
            throw new NativeSetupException($"'{_path}' has a structure pointing outside the file (offset {offset}): unexpected binary layout.");
        return Bytes.AsSpan((int)offset, length);
    }

    private ushort U16(long offset) => BinaryPrimitives.ReadUInt16LittleEndian(At(offset, 2));
    private uint U32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(At(offset, 4));
    private long I64(long offset) => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(At(offset, 8)));
    private void WriteU16(long offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(At(offset, 2), value);
    private void WriteU32(long offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(At(offset, 4), value);

    private record struct Section(uint Type, long Offset, long Size, uint Link);

    private IReadOnlyList<Section> Sections()
    {
        long tableOffset = I64(0x28);
        int entrySize = U16(0x3A), count = U16(0x3C);
        if (tableOffset == 0 || count == 0 || entrySize < 64)
            throw new NativeSetupException($"'{_path}' has no section headers: unexpected binary layout.");
        var sections = new List<Section>(count);
        for (int i = 0; i < count; i++)
        {
            long h = tableOffset + (long)i * entrySize;
            sections.Add(new Section(U32(h + 4), I64(h + 0x18), I64(h + 0x20), U32(h + 0x28)));
        }
        return sections;
    }

    private Section Single(uint type, string what)
    {
        var found = Sections().Where(s => s.Type == type).ToList();
        if (found.Count != 1)
            throw new NativeSetupException($"'{_path}' has {found.Count} {what} sections, expected exactly one: unexpected binary layout.");
        return found[0];
    }

    private Section? Optional(uint type) => Sections().Where(s => s.Type == type).Select(s => (Section?)s).FirstOrDefault();

    private string ReadString(Section table, long offset)
    {
        long start = table.Offset + offset, end = start;
        while (end < table.Offset + table.Size && At(end, 1)[0] != 0) end++;
        return Encoding.ASCII.GetString(At(start, (int)(end - start)));
    }

    /// <summary>One version this object needs from a library it depends on (an entry of <c>.gnu.version_r</c>).</summary>
    /// <param name="Library">The library file name, e.g. <c>libstdc++.so.6</c>.</param>
    /// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="Index">The version index symbols refer to in <c>.gnu.version</c>.</param>
    /// <param name="Offset">File offset of the Vernaux entry.</param>
    /// <param name="PreviousOffset">File offset of the previous Vernaux entry of the same library, or -1 if first.</param>
    /// <param name="OwnerOffset">File offset of the Verneed entry that owns it.</param>
    public sealed record VersionNeed(string Library, string Version, ushort Index, long Offset, long PreviousOffset, long OwnerOffset);

    /// <summary>Every version this object needs, library by library.</summary>
    public IReadOnlyList<VersionNeed> VersionNeeds()
    {
        var needs = new List<VersionNeed>();
        var section = Optional(SectionTypeVersionNeeds);
        if (section is null) return needs;
        var strings = Sections()[(int)section.Value.Link];
        long verneed = section.Value.Offset;
        while (true)
        {
            string library = ReadString(strings, U32(verneed + 4));
            int count = U16(verneed + 2);
            long aux = verneed + U32(verneed + 8), previous = -1;
            for (int i = 0; i < count; i++)
            {
                needs.Add(new VersionNeed(library, ReadString(strings, U32(aux + 8)), U16(aux + 6), aux, previous, verneed));
                uint next = U32(aux + 12);
                if (next == 0) break;
                previous = aux;
                aux += next;
            }
            uint nextNeed = U32(verneed + 12);
            if (nextNeed == 0) break;
            verneed += nextNeed;
        }
        return needs;
    }

    /// <summary>The version names this object defines (its <c>.gnu.version_d</c>), e.g. every <c>GLIBCXX_*</c> of libstdc++.</summary>
    public IReadOnlySet<string> VersionDefinitions()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var section = Optional(SectionTypeVersionDefinitions);
        if (section is null) return names;
        var strings = Sections()[(int)section.Value.Link];
        long verdef = section.Value.Offset;
        while (true)
        {
            names.Add(ReadString(strings, U32(verdef + U32(verdef + 12))));
            uint next = U32(verdef + 16);
            if (next == 0) break;
            verdef += next;
        }
        return names;
    }

    /// <summary>A dynamic symbol: its index, name, the offset of its name in the string table, and its version index.</summary>
    public sealed record DynamicSymbol(int Index, string Name, uint NameOffset, ushort VersionIndex, bool IsUndefined);

    /// <summary>All dynamic symbols with their version indices.</summary>
    public IReadOnlyList<DynamicSymbol> DynamicSymbols()
    {
        var symbols = Single(SectionTypeDynamicSymbols, ".dynsym");
        var strings = Sections()[(int)symbols.Link];
        var versions = Optional(SectionTypeVersionSymbols);
        int count = (int)(symbols.Size / SymbolSize);
        var result = new List<DynamicSymbol>(count);
        for (int i = 0; i < count; i++)
        {
            long s = symbols.Offset + (long)i * SymbolSize;
            uint nameOffset = U32(s);
            ushort version = versions is null ? (ushort)1 : U16(versions.Value.Offset + 2L * i);
            result.Add(new DynamicSymbol(i, ReadString(strings, nameOffset), nameOffset, (ushort)(version & 0x7fff), U16(s + 6) == 0));
        }
        return result;
    }

    /// <summary>
    /// Renames an undefined dynamic symbol in place to <paramref name="replacement"/> (no longer than the old name) and marks it
    /// unversioned, so the loader binds it to whatever library defines the new name.
    /// </summary>
    public void RenameUndefinedSymbol(DynamicSymbol symbol, string replacement)
    {
        if (!symbol.IsUndefined)
            throw new NativeSetupException($"'{_path}': symbol {symbol.Name} is defined here, only references can be redirected.");
        if (replacement.Length > symbol.Name.Length)
            throw new NativeSetupException($"'{_path}': replacement name {replacement} is longer than {symbol.Name}.");
        var symbols = Single(SectionTypeDynamicSymbols, ".dynsym");
        var strings = Sections()[(int)symbols.Link];
        // Linkers share string tails ("foo" can point into "barfoo"); overwriting is only safe if nothing else points inside.
        uint start = symbol.NameOffset, end = start + (uint)symbol.Name.Length;
        bool shared = StringReferences().Count(offset => offset > start && offset < end) > 0
            || DynamicSymbols().Count(s => s.NameOffset == start) > 1;
        if (shared)
            throw new NativeSetupException($"'{_path}': the name of {symbol.Name} is shared with another symbol: unexpected binary layout.");
        var target = At(strings.Offset + start, symbol.Name.Length);
        target.Clear();
        Encoding.ASCII.GetBytes(replacement).CopyTo(target);
        var versions = Single(SectionTypeVersionSymbols, ".gnu.version");
        WriteU16(versions.Offset + 2L * symbol.Index, 1); // VER_NDX_GLOBAL: unversioned
    }

    /// <summary>Every offset into the dynamic string table that something in the file refers to.</summary>
    private IEnumerable<uint> StringReferences()
    {
        foreach (var symbol in DynamicSymbols()) yield return symbol.NameOffset;
        var needs = Optional(SectionTypeVersionNeeds);
        if (needs is not null)
        {
            long verneed = needs.Value.Offset;
            while (true)
            {
                yield return U32(verneed + 4);
                long aux = verneed + U32(verneed + 8);
                for (int i = 0, count = U16(verneed + 2); i < count; i++)
                {
                    yield return U32(aux + 8);
                    uint next = U32(aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint nextNeed = U32(verneed + 12);
                if (nextNeed == 0) break;
                verneed += nextNeed;
            }
        }
        var dynamic = Optional(SectionTypeDynamic);
        if (dynamic is not null)
        {
            for (long d = dynamic.Value.Offset; d + 16 <= dynamic.Value.Offset + dynamic.Value.Size; d += 16)
            {
                long tag = I64(d);
                if (tag == 0) break;
                if (tag is 1 or 14 or 15 or 29) yield return (uint)I64(d + 8); // NEEDED, SONAME, RPATH, RUNPATH
            }
        }
    }

    /// <summary>Removes one needed version from its library's list, so the loader no longer asks for it.</summary>
    public void RemoveVersionNeed(VersionNeed need)
    {
        uint next = U32(need.Offset + 12);
        if (need.PreviousOffset < 0)
        {
            if (next == 0)
                throw new NativeSetupException($"'{_path}': {need.Version} is the only version needed from {need.Library}: unexpected binary layout.");
            WriteU32(need.OwnerOffset + 8, U32(need.OwnerOffset + 8) + next); // vn_aux skips the entry
        }
        else
        {
            WriteU32(need.PreviousOffset + 12, next == 0 ? 0 : U32(need.PreviousOffset + 12) + next); // previous vna_next skips it
        }
        WriteU16(need.OwnerOffset + 2, (ushort)(U16(need.OwnerOffset + 2) - 1)); // vn_cnt
    }
}

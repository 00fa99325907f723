namespace CamNotebooks.Book.Rendering;

/// <summary>A heading of a page, for its table of contents.</summary>
/// <param name="Level">1 for #, 2 for ##, ...</param>
/// <param name="Id">The heading's anchor id, unique in its page.</param>
/// <param name="Text">The heading's plain text.</param>
public sealed record TocEntry(int Level, string Id, string Text);

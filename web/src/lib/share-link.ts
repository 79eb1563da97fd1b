// Shares a link: the native share sheet where there is one, otherwise the clipboard. Returns what to tell the person,
// or null when there is nothing to say (shared, or the sheet closed by choice).
export async function shareLink(title: string, url: string): Promise<string | null> {
  try {
    if (navigator.share) {
      await navigator.share({ title, url });
      return null;
    }
    await navigator.clipboard.writeText(url);
    return "Link copied.";
  } catch (error) {
    // Closing the share sheet is a choice, not a failure: nothing to say.
    if (error instanceof DOMException && error.name === "AbortError") return null;
    return `Copy this link: ${url}`;
  }
}

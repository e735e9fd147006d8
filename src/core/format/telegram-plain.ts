/*
 * The inbox stores each reply part as it is sent (Telegram HTML), so the plain-text re-send after
 * a parse error is derived from that part. The renderer writes only <b> <i> <s> <code> <pre> and
 * <a href="…">, and escapes &, <, > (and " in URLs), so undoing exactly that gives the same text
 * as rendering the Markdown with the plain style: markers dropped, links as `text (url)`.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&amp;': '&',
};

function unescapeHtml(text: string): string {
  return text.replace(/&(?:lt|gt|quot|amp);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** The plain text of a part written by the Telegram renderer. */
export function telegramHtmlToPlain(html: string): string {
  const withLinks = html.replace(
    /<a href="([^"]*)">([\s\S]*?)<\/a>/g,
    (_match, url: string, text: string) => `${text} (${url})`,
  );
  return unescapeHtml(withLinks.replace(/<\/?(?:b|i|s|code|pre)(?: class="[^"]*")?>/g, ''));
}

/*
 * The generated config template lists every key commented out under a commented table header
 * (`#[gateway]` … `#paired_tokens = []`). Appending a new `[gateway]` table at the end of such a
 * file would work until the operator uncomments the template's own `#[gateway]` (a duplicate
 * table) or a later header (the appended key silently moves into that table). So before the
 * first programmatic write, the template's own lines are uncommented and edited in place.
 */

const HEADER = /^\s*#?\s*\[([A-Za-z0-9_.-]+)\]\s*$/;

/**
 * Uncomments `#key = []` inside `table`'s (possibly commented) section, and the section's
 * `#[table]` header when the real one is absent. Returns the text unchanged when the template
 * lines are not there; the caller re-parses and falls back to the original on any doubt.
 */
export function uncommentTemplateKey(text: string, table: string, key: string): string {
  const lines = text.split('\n');
  const keyLine = new RegExp(`^#\\s*${escape(key)}\\s*=\\s*\\[\\s*\\](\\s*)(\\r?)$`);
  let section: { index: number; commented: boolean } | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const header = HEADER.exec(line);
    if (header !== null) {
      if (section !== undefined) break;
      if (header[1] === table) section = { index: i, commented: line.trimStart().startsWith('#') };
      continue;
    }
    if (section === undefined) continue;
    const match = keyLine.exec(line);
    if (match === null) continue;
    lines[i] = `${key} = []${match[1] ?? ''}${match[2] ?? ''}`;
    if (section.commented) {
      const original = lines[section.index] ?? '';
      lines[section.index] = original.replace(/^(\s*)#\s*/, '$1');
    }
    return lines.join('\n');
  }
  return text;
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

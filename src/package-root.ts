import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'gatehouse';

/**
 * The directory of the installed package (the one holding its package.json and `web/`), found by
 * walking up from `from`: the sources, the compiled `dist/` tree and the start-up bundle sit at
 * different depths, so a fixed `../..` would be right for only one of them.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (isPackageRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${from}`);
    dir = parent;
  }
}

function isPackageRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      'name' in parsed &&
      parsed.name === PACKAGE_NAME
    );
  } catch {
    // An unreadable or malformed package.json on the way up is not ours: keep walking.
    return false;
  }
}

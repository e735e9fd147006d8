import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type * as TomlPatch from '@decimalturn/toml-patch';
import { isCode, writeFileAtomic } from './atomic-write.js';
import type { AtomicWriteFs } from './atomic-write.js';
import { uncommentTemplateKey } from './commented-key.js';
import { withFileLock } from './file-lock.js';
import type { FileLockOptions } from './file-lock.js';

/*
 * Programmatic edits of the operator's config file. toml-patch rewrites only the values that
 * changed, so every comment, blank line and the formatting of every other key survive; the write
 * is atomic (see atomic-write.ts) so a crash never leaves a half-written config. Each edit holds
 * `<config>.lock` (see file-lock.ts) from read to rename, so the gateway and the CLI editing at
 * the same moment cannot lose each other's change.
 */

/** A parsed TOML document as toml-patch returns it. */
export type TomlTable = Record<string, unknown>;

export interface PersistOptions {
  /** Injected file-system calls (tests make one fail). */
  fs?: Partial<AtomicWriteFs>;
  /** Cross-process lock tuning (tests shorten the waits). */
  lock?: FileLockOptions;
}

/** The lock file guarding edits of the config at `path`. */
export function configLockPath(path: string): string {
  return `${path}.lock`;
}

let tomlPatch: Promise<typeof TomlPatch> | undefined;

/**
 * toml-patch, imported on first use rather than with this module: every CLI command loads this
 * file, and most of them never read or edit the config through it.
 */
function loadTomlPatch(): Promise<typeof TomlPatch> {
  tomlPatch ??= import('@decimalturn/toml-patch');
  return tomlPatch;
}

/** In-process queue per file, so two concurrent pairings cannot both read the old list. */
const queues = new Map<string, Promise<unknown>>();

function serialize<T>(key: string, job: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(job, job);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

/** The file's text, or '' when it does not exist yet (the embedded defaults apply then). */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return '';
    throw error;
  }
}

/**
 * Parses the file, lets `mutate` change the document, and writes the patched text atomically
 * (mode 0600). A missing file is created. Errors from reading, parsing, `mutate` or writing
 * propagate with the original file untouched.
 */
export async function updateConfigFile(
  path: string,
  mutate: (doc: TomlTable) => void,
  options: PersistOptions = {},
): Promise<void> {
  const target = await resolveTarget(path);
  // Loaded before the lock is taken, so the first edit does not hold it any longer.
  const toml = await loadTomlPatch();
  // The in-process queue first, so callers in this process wait without polling the lock file.
  await serialize(target, async () => {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await withFileLock(
      configLockPath(target),
      async () => {
        const original = await readConfigText(target);
        const before = withTemplateKeyActive(toml, original);
        const doc = parseTable(toml, before, target);
        mutate(doc);
        let after = toml.patch(before, doc);
        if (original === '' && !after.endsWith('\n')) after += '\n';
        if (after === original) return;
        await writeFileAtomic(target, after, { mode: 0o600, fs: options.fs });
      },
      options.lock,
    );
  });
}

/** The raw `[gateway].paired_tokens` entries of the file (hashes, or plaintext awaiting hashing). */
export async function readPairedTokenEntries(path: string): Promise<string[]> {
  const target = await resolveTarget(path);
  const toml = await loadTomlPatch();
  return serialize(target, async () => {
    const doc = parseTable(toml, await readConfigText(target), target);
    return pairedTokensOf(doc, target);
  });
}

/**
 * Replaces `[gateway].paired_tokens` with what `mutate` returns for the current entries, adding
 * the table and key when absent. Runs under the file's queue, so the read and write are one step
 * for this process. Returns the list written.
 */
export async function updatePairedTokens(
  path: string,
  mutate: (current: readonly string[]) => readonly string[],
  options: PersistOptions = {},
): Promise<readonly string[]> {
  let written: readonly string[] = [];
  await updateConfigFile(
    path,
    (doc) => {
      const gateway = gatewayTableOf(doc, path);
      written = [...mutate(pairedTokensOf(doc, path))];
      gateway.paired_tokens = [...written];
    },
    options,
  );
  return written;
}

/** Appends one token hash to `[gateway].paired_tokens` (no-op when already present). */
export async function appendPairedTokenHash(
  path: string,
  hash: string,
  options: PersistOptions = {},
): Promise<void> {
  await updatePairedTokens(
    path,
    (current) => (current.includes(hash) ? current : [...current, hash]),
    options,
  );
}

/** Sets `[gateway].paired_tokens` to exactly `hashes`. */
export async function setPairedTokenHashes(
  path: string,
  hashes: readonly string[],
  options: PersistOptions = {},
): Promise<void> {
  await updatePairedTokens(path, () => hashes, options);
}

/**
 * A cheap fingerprint of the file (inode, size, mtime) for change polling, or undefined when it
 * does not exist. The atomic rename gives every write a new inode, so even two writes inside one
 * mtime tick are told apart.
 */
export async function configFileSignature(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.ino}:${info.size}:${info.mtimeNs}`;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * Uncomments the template's `#paired_tokens = []` (see commented-key.ts) when the key is absent,
 * keeping the original text whenever the result would not parse to an empty list there.
 */
function withTemplateKeyActive(toml: typeof TomlPatch, text: string): string {
  const candidate = uncommentTemplateKey(text, 'gateway', 'paired_tokens');
  if (candidate === text) return text;
  try {
    const gateway = (toml.parse(text) as TomlTable).gateway;
    if (isTable(gateway) && gateway.paired_tokens !== undefined) return text;
    const activated = (toml.parse(candidate) as TomlTable).gateway;
    const tokens = isTable(activated) ? activated.paired_tokens : undefined;
    return Array.isArray(tokens) && tokens.length === 0 ? candidate : text;
  } catch {
    // Either text does not parse (the caller reports it) or uncommenting made a duplicate
    // table: keep the original and let the key be appended instead.
    return text;
  }
}

/** Writes through a symlinked config to its target instead of replacing the link. */
async function resolveTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return path;
    throw error;
  }
}

function parseTable(toml: typeof TomlPatch, text: string, path: string): TomlTable {
  try {
    return toml.parse(text) as TomlTable;
  } catch (error) {
    throw new Error(`Cannot update ${path}: it is not valid TOML`, { cause: error });
  }
}

function gatewayTableOf(doc: TomlTable, path: string): TomlTable {
  const existing = doc.gateway;
  if (existing === undefined) {
    const created: TomlTable = {};
    doc.gateway = created;
    return created;
  }
  if (!isTable(existing)) throw new Error(`Cannot update ${path}: [gateway] is not a table`);
  return existing;
}

function pairedTokensOf(doc: TomlTable, path: string): string[] {
  const gateway = doc.gateway;
  if (gateway === undefined) return [];
  if (!isTable(gateway)) throw new Error(`Cannot update ${path}: [gateway] is not a table`);
  const tokens = gateway.paired_tokens;
  if (tokens === undefined) return [];
  if (!Array.isArray(tokens) || !tokens.every((entry) => typeof entry === 'string')) {
    throw new Error(`Cannot update ${path}: gateway.paired_tokens must be an array of strings`);
  }
  return [...(tokens as string[])];
}

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

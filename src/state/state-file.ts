import { join } from 'node:path';
import { createEmbeddedStateStore } from './embedded-store.js';
import type { EmbeddedStateStore } from './embedded-store.js';

/** File name of the embedded state store in `$GATEHOUSE_HOME`. */
export const STATE_DB_FILE = 'state.db';

/**
 * Opens the embedded state store of a home. The gateway and the CLI (`token revoke`) open the
 * same file, so a revocation written by the CLI reaches the running gateway.
 */
export function openHomeStateStore(home: string): EmbeddedStateStore {
  return createEmbeddedStateStore({ path: join(home, STATE_DB_FILE) });
}

import * as path from 'node:path';
import type { InboxConfig } from '../config/schema.js';

/** The inbox database file: `inbox.path`, else `$GATEHOUSE_HOME/inbox.db`. */
export function resolveInboxPath(config: InboxConfig, home: string): string {
  return config.path ?? path.join(home, 'inbox.db');
}

export { openSqliteInbox, type SqliteInboxOptions } from './sqlite-inbox.js';
export { resolveInboxPath } from './inbox-path.js';
export { createInboxWorker, type InboxWorker, type InboxWorkerOptions } from './worker.js';
export type { Inbox, InboxCounts, InboxItem, InboxStatus } from './types.js';

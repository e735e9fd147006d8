/** Schema of the SQLite inbox file; `IF NOT EXISTS` keeps opening idempotent. */
export const INBOX_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS inbox_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  message_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  message TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL,
  reply TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (channel, message_id)
);
CREATE INDEX IF NOT EXISTS inbox_items_due ON inbox_items (status, not_before);
CREATE INDEX IF NOT EXISTS inbox_items_conversation
  ON inbox_items (channel, conversation_id, status, id);
CREATE TABLE IF NOT EXISTS inbox_cursors (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * Due pending items whose conversation has nothing older still pending or processing, so a
 * conversation's messages are answered strictly in arrival order, one at a time.
 */
export const CLAIMABLE_SQL = `
SELECT id FROM inbox_items AS i
WHERE i.status = 'pending' AND i.not_before <= @now
  AND NOT EXISTS (
    SELECT 1 FROM inbox_items AS o
    WHERE o.channel = i.channel AND o.conversation_id = i.conversation_id
      AND o.status IN ('pending', 'processing') AND o.id < i.id
  )
  AND NOT EXISTS (
    SELECT 1 FROM inbox_items AS p
    WHERE p.channel = i.channel AND p.conversation_id = i.conversation_id
      AND p.status = 'processing'
  )
ORDER BY i.id
LIMIT @limit
`;

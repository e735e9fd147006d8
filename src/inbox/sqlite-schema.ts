/**
 * Schema of the SQLite inbox file; `IF NOT EXISTS` keeps opening idempotent. `parts` holds the
 * reply as JSON `[{ text, state }]`; `claim_token` and `lease_until` are the current claim.
 */
export const INBOX_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS inbox_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  message_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  message TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  claim_token TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  parts TEXT,
  last_error TEXT,
  dead_reason TEXT CHECK (dead_reason IN ('expired', 'exhausted', 'permanent')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (channel, message_id)
);
CREATE INDEX IF NOT EXISTS inbox_entries_due ON inbox_entries (status, not_before);
CREATE INDEX IF NOT EXISTS inbox_entries_conversation
  ON inbox_entries (channel, conversation_id, status, id);
CREATE TABLE IF NOT EXISTS inbox_cursors (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** Whether the file still has the first version's table (statuses with `failed`, one reply). */
export const HAS_V1_TABLE_SQL = `SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'inbox_items'`;

/**
 * Moves a first-version inbox into the current table: `failed` becomes a dead letter
 * (`exhausted`), a saved reply becomes one pending part, and an item left `processing` gets an
 * expired lease so it is claimed again at once.
 */
export const MIGRATE_V1_SQL = `
INSERT OR IGNORE INTO inbox_entries
  (id, channel, message_id, conversation_id, message, status, attempts, not_before, enqueued_at,
   claim_token, lease_until, parts, last_error, dead_reason, created_at, updated_at)
SELECT id, channel, message_id, conversation_id, message,
  CASE status WHEN 'failed' THEN 'dead' ELSE status END,
  attempts, not_before, created_at, NULL, 0,
  CASE WHEN reply IS NULL THEN NULL
    ELSE json_array(json_object('text', reply, 'state', 'pending')) END,
  last_error,
  CASE status WHEN 'failed' THEN 'exhausted' ELSE NULL END,
  created_at, updated_at
FROM inbox_items;
DROP TABLE inbox_items;
`;

/**
 * Items that may be claimed now: due pending ones, and processing ones whose lease expired. A
 * conversation's messages are answered strictly in arrival order, one at a time: nothing older
 * may still be unfinished, and no item of the conversation may hold a live lease.
 */
export const CLAIMABLE_SQL = `
SELECT id FROM inbox_entries AS i
WHERE ((i.status = 'pending' AND i.not_before <= @now)
    OR (i.status = 'processing' AND i.lease_until <= @now))
  AND NOT EXISTS (
    SELECT 1 FROM inbox_entries AS o
    WHERE o.channel = i.channel AND o.conversation_id = i.conversation_id
      AND o.status IN ('pending', 'processing') AND o.id < i.id
  )
  AND NOT EXISTS (
    SELECT 1 FROM inbox_entries AS p
    WHERE p.channel = i.channel AND p.conversation_id = i.conversation_id
      AND p.status = 'processing' AND p.lease_until > @now
  )
ORDER BY i.id
LIMIT @limit
`;

/** Parts left with an unknown outcome, over every item. */
export const UNKNOWN_PARTS_SQL = `
SELECT COUNT(*) AS n FROM inbox_entries AS e, json_each(e.parts) AS part
WHERE json_extract(part.value, '$.state') = 'unknown'
`;

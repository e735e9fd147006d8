import * as z from 'zod';
import type { MemoryEntry } from './types.js';

/** A memory row as both SQL stores return it (snake_case columns), parsed into a MemoryEntry. */
const rowSchema = z
  .object({
    key: z.string(),
    content: z.string(),
    category: z.enum(['conversation', 'core', 'daily', 'custom']),
    session_id: z.string().nullable(),
    role: z.enum(['user', 'assistant']).nullable(),
    created_at: z.string(),
  })
  .transform((row): MemoryEntry => ({
    key: row.key,
    content: row.content,
    category: row.category,
    sessionId: row.session_id,
    role: row.role,
    createdAt: row.created_at,
  }));

/** Parses query rows into entries; a row of the wrong shape throws. */
export const toEntries = (rows: unknown[]): MemoryEntry[] =>
  rows.map((row) => rowSchema.parse(row));

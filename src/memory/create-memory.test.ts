import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_POSTGRES_URL } from '../test-support/postgres-server.js';
import { createMemory } from './create-memory.js';

describe('createMemory', () => {
  it('opens sqlite at the given path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-memory-'));
    try {
      const memory = createMemory({ backend: 'sqlite', path: path.join(dir, 'm.db') });
      expect(memory.backend).toBe('sqlite');
      await memory.close();
      expect(fs.existsSync(path.join(dir, 'm.db'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens none without a path', () => {
    expect(createMemory({ backend: 'none' }).backend).toBe('none');
  });

  it('refuses sqlite without a path', () => {
    expect(() => createMemory({ backend: 'sqlite' })).toThrow('file path');
  });

  it('opens postgres at the given url', async () => {
    const memory = createMemory({ backend: 'postgres', url: TEST_POSTGRES_URL });
    expect(memory.backend).toBe('postgres');
    await memory.close();
  });

  it('refuses postgres without a url', () => {
    expect(() => createMemory({ backend: 'postgres' })).toThrow('memory.url');
  });
});

import { describe, expect, it } from 'vitest';
import { createOriginRefusalReporter } from './origin-refusals.js';

describe('createOriginRefusalReporter', () => {
  it('warns once per origin, naming the origin and the keys that allow it', () => {
    const lines: Array<{ object: object; message: string }> = [];
    const report = createOriginRefusalReporter({
      warn: (object, message) => void lines.push({ object, message }),
    });
    report('https://chat.example.com', '/ws');
    report('https://chat.example.com', '/pair');
    report('https://other.example.com', '/ws');
    expect(lines).toHaveLength(2);
    expect(lines[0]?.object).toEqual({ origin: 'https://chat.example.com', where: '/ws' });
    expect(lines[0]?.message).toContain('gateway.public_url');
    expect(lines[0]?.message).toContain('channels_config.web.allowed_origins');
    expect(lines[1]?.object).toMatchObject({ origin: 'https://other.example.com' });
  });

  it('cuts long client-supplied origins', () => {
    const lines: object[] = [];
    const report = createOriginRefusalReporter({ warn: (object) => void lines.push(object) });
    report(`https://${'a'.repeat(500)}.example`, '/ws');
    expect((lines[0] as { origin: string }).origin).toHaveLength(100);
  });
});

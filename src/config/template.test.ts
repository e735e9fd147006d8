import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';
import { listLeaves, RECORD_KEY } from './schema-walk.js';
import { renderConfigTemplate } from './template.js';

const defaults = configSchema.parse({});

describe('renderConfigTemplate', () => {
  const template = renderConfigTemplate();

  it('parses as TOML and validates to exactly the defaults as written (all keys commented)', () => {
    const raw = parse(template);
    expect(raw).toEqual({});
    expect(configSchema.parse(raw)).toEqual(defaults);
  });

  it('still validates to exactly the defaults with every "#key = default" line uncommented', () => {
    const uncommented = template
      .split('\n')
      .map((line) => (/^#(\[|[a-z_]+ = )/.test(line) ? line.slice(1) : line))
      .join('\n');
    const raw = parse(uncommented);
    expect(raw).toHaveProperty('gateway.port', 3000);
    expect(configSchema.parse(raw)).toEqual(defaults);
  });

  it('mentions every key of the schema with its description', () => {
    for (const leaf of listLeaves(configSchema)) {
      const key = leaf.path[leaf.path.length - 1] ?? '';
      expect(template).toMatch(new RegExp(`^# ?${key} = `, 'm'));
      if (leaf.schema.description !== undefined) {
        expect(template).toContain(`# ${leaf.schema.description}`);
      }
      const section = leaf.path.slice(0, -1).join('.');
      if (section !== '' && !section.includes(RECORD_KEY)) {
        expect(template).toMatch(new RegExp(`^# ?\\[${section.replace(/\./g, '\\.')}\\]$`, 'm'));
      }
    }
  });

  it('includes commented examples for providers and the optional channels', () => {
    for (const section of [
      'providers.openai',
      'providers.anthropic',
      'channels_config.whatsapp',
      'channels_config.slack',
      'channels_config.telegram',
    ]) {
      expect(template).toContain(`# [${section}]`);
    }
  });

  it('produces valid provider and channel sections when the examples are uncommented', () => {
    const uncommented = template
      .split('\n')
      .map((line) => line.replace(/^# ?(\[|[a-z_]+ = )/, '$1'))
      .join('\n');
    const result = configSchema.safeParse(parse(uncommented));
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.data?.providers.openai?.base_url).toBe('https://api.openai.com/v1');
  });
});

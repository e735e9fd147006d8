import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';
import { listLeaves, RECORD_KEY } from './schema-walk.js';
import { renderConfigTemplate } from './template.js';
import { findUnknownKeys } from './unknown-keys.js';

const defaults = configSchema.parse({});

describe('renderConfigTemplate', () => {
  const template = renderConfigTemplate();

  it('parses as TOML and validates to exactly the defaults as written (all keys commented)', () => {
    const raw = parse(template);
    expect(findUnknownKeys(raw, configSchema)).toEqual([]);
    expect(configSchema.parse(raw)).toEqual(defaults);
  });

  it('writes the always-present section headers live and the optional ones commented', () => {
    const live = template.split('\n').filter((line) => line.startsWith('['));
    expect(live).toEqual([
      '[gateway]',
      '[gateway.auth]',
      '[tunnel]',
      '[tunnel.cloudflare]',
      '[tunnel.tailscale]',
      '[tunnel.ngrok]',
      '[tunnel.custom]',
      '[agent]',
      '[state]',
      '[memory]',
      '[observability]',
      '[runtime]',
      '[inbox]',
      '[pipeline]',
      '[routing]',
      '[channels_config.webhook]',
      '[channels_config.web]',
      '[channels_config.openai]',
    ]);
    // Empty tables only: no key is set, so nothing differs from the embedded defaults.
    const raw = parse(template) as Record<string, Record<string, unknown>>;
    expect(raw.gateway).toEqual({ auth: {} });
  });

  it('puts a single uncommented "#key = default" line into its own section', () => {
    const lines = template.split('\n');
    const keyLines = lines.flatMap((line, index) => (/^#[a-z_]+ = /.test(line) ? [index] : []));
    expect(keyLines.length).toBeGreaterThan(40);
    for (const index of keyLines) {
      const edited = lines.map((line, i) => (i === index ? line.slice(1) : line)).join('\n');
      const raw = parse(edited);
      expect(findUnknownKeys(raw, configSchema), lines[index]).toEqual([]);
      expect(configSchema.parse(raw), lines[index]).toEqual(defaults);
    }
    const port = lines.map((line) => (line === '#port = 3000' ? 'port = 3000' : line)).join('\n');
    expect(parse(port)).toHaveProperty('gateway.port', 3000);
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
        expect(template).toMatch(new RegExp(`^(# )?\\[${section.replace(/\./g, '\\.')}\\]$`, 'm'));
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

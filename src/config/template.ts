import { stringify } from 'smol-toml';
import type { z } from 'zod';
import { configSchema } from './schema.js';
import { objectShape, recordValue, unwrap } from './schema-walk.js';

/*
 * The commented config template written on first start. Generated from the schema so it always
 * lists every key. Convention (like sshd_config): `#key = value` is a default that may be
 * uncommented as is; `# ` starts prose or an example that needs a real value first. The headers
 * of the always-present sections are written live (an empty table changes no default), so an
 * uncommented key lands in its own section instead of silently in the top-level table; only the
 * optional sections, whose mere presence enables something, keep a commented header.
 */

const HEADER = [
  '# gatehouse configuration (TOML).',
  '# Every key is listed with its default, commented out under its [section] header: the file is',
  '# valid as it is and the defaults apply. "#key = value" lines can be uncommented as they are;',
  '# "# key = ..." lines are examples that need your own value, and "# [section]" headers belong',
  '# to optional sections that are enabled by uncommenting them. Secrets can come from the',
  '# environment instead (see docs/configuration.md).',
];

/** Example values for optional keys and example sections, where a type alone says too little. */
const EXAMPLES: Record<string, unknown> = {
  default_model: 'gpt-4o-mini',
  'gateway.auth.jwt_secret': 'at-least-32-random-bytes........',
  'gateway.instance_id': 'gatehouse-1',
  'memory.path': '/var/lib/gatehouse/memory.db',
  'memory.url': 'postgres://gatehouse@127.0.0.1:5432/gatehouse',
  'inbox.path': '/var/lib/gatehouse/inbox.db',
  'gateway.public_url': 'https://agent.example.com',
  'gateway.trusted_proxies': ['127.0.0.1/32', '::1/128'],
  'gateway.allowed_hosts': ['agent.example.com'],
  'tunnel.cloudflare.url': 'https://agent.example.com',
  'tunnel.cloudflare.binary': '/usr/local/bin/cloudflared',
  'tunnel.tailscale.binary': '/usr/bin/tailscale',
  'tunnel.ngrok.binary': '/usr/local/bin/ngrok',
  'tunnel.custom.binary': '/opt/tunnel/bin/tunnel',
  'tunnel.custom.command': 'tunnel --forward {host}:{port}',
  'tunnel.custom.url_pattern': 'https://[a-z0-9.-]+',
  'providers.openai.type': 'openai',
  'providers.openai.base_url': 'https://api.openai.com/v1',
  'providers.openai.api_key': 'sk-...',
  'providers.anthropic.type': 'anthropic',
  'providers.anthropic.base_url': 'https://api.anthropic.com',
  'providers.anthropic.api_key': 'sk-ant-...',
  'agents.support.provider': 'echo',
  'agents.support.model': 'echo',
  'agents.support.system_prompt': 'You answer support questions briefly.',
  'agents.support.temperature': 0.2,
  'agents.support.max_tokens': 512,
  'agents.support.history_window': 10,
  'channels_config.whatsapp.phone_number_id': '123456789012345',
  'channels_config.whatsapp.allowed_numbers': ['+15551234567'],
  'channels_config.slack.allowed_users': ['U0123456789'],
  'channels_config.telegram.allowed_users': [123456789],
};

/** Example section names per record of sections. */
const EXAMPLE_SECTIONS: Record<string, readonly string[]> = {
  providers: ['openai', 'anthropic'],
  agents: ['support'],
};

/** Renders the commented template of every config key. */
export function renderConfigTemplate(): string {
  const lines = [...HEADER, ''];
  renderTable(configSchema, [], 'defaults', lines);
  return `${lines.join('\n')}\n`;
}

type Mode = 'defaults' | 'example';

function renderTable(schema: z.ZodType, path: string[], mode: Mode, lines: string[]): void {
  const shape = objectShape(schema) ?? {};
  const entries = Object.entries(shape);
  // TOML needs a table's own keys before any sub-table header, whatever the schema order.
  const tables = entries.filter(([, child]) => isTable(child));
  for (const [key, child] of entries.filter(([, c]) => !isTable(c))) {
    renderKey([...path, key], child, mode, lines);
  }
  for (const [key, child] of tables) {
    const childPath = [...path, key];
    const record = recordValue(child);
    if (record !== undefined) {
      renderRecordExamples(childPath, child, record, lines);
      continue;
    }
    const { optional, description } = unwrap(child);
    const childMode: Mode = optional ? 'example' : mode;
    // A table holding only sub-tables (channels_config) needs no header of its own.
    if (Object.values(objectShape(child) ?? {}).some((grandchild) => !isTable(grandchild))) {
      lines.push('');
      if (description !== undefined) lines.push(`# ${description}`);
      if (optional)
        lines.push(`# Optional section: present = enabled (fill in the required keys).`);
      lines.push(`${childMode === 'defaults' ? '' : '# '}[${childPath.join('.')}]`);
    }
    renderTable(child, childPath, childMode, lines);
  }
}

function renderRecordExamples(
  path: string[],
  schema: z.ZodType,
  value: z.ZodType,
  lines: string[],
): void {
  const { description } = unwrap(schema);
  for (const name of EXAMPLE_SECTIONS[path.join('.')] ?? []) {
    const sectionPath = [...path, name];
    lines.push('');
    if (description !== undefined) lines.push(`# ${description}, for example:`);
    lines.push(`# [${sectionPath.join('.')}]`);
    renderTable(value, sectionPath, 'example', lines);
  }
}

function renderKey(path: string[], schema: z.ZodType, mode: Mode, lines: string[]): void {
  const { description, defaultValue, optional } = unwrap(schema);
  const key = path[path.length - 1] ?? '';
  const example = EXAMPLES[path.join('.')];
  const hasDefault = defaultValue !== undefined;
  const required = !optional && !hasDefault;
  const note = required ? ' (required)' : !hasDefault ? ' (optional)' : '';
  if (description !== undefined) lines.push(`# ${description}${note}`);
  if (mode === 'defaults' && hasDefault) {
    lines.push(`#${key} = ${tomlValue(defaultValue)}`);
  } else {
    const shown = example ?? defaultValue ?? '...';
    lines.push(`# ${key} = ${tomlValue(shown)}`);
  }
}

function isTable(schema: z.ZodType): boolean {
  if (objectShape(schema) !== undefined) return true;
  const record = recordValue(schema);
  return record !== undefined && objectShape(record) !== undefined;
}

/** One TOML value as it would appear after `key = `. */
function tomlValue(value: unknown): string {
  return stringify({ v: value }).trim().replace(/^v = /, '');
}

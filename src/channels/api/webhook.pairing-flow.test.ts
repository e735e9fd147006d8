import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeTestGateways,
  DEBUG_LOGS_TOML,
  handMadeToken,
  postMessage,
  send,
  startTestGateway,
} from '../../test-support/gateway-harness.js';

afterEach(closeTestGateways);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const pairedTokensIn = (toml: string): unknown =>
  (parse(toml).gateway as { paired_tokens?: unknown } | undefined)?.paired_tokens;
/** The code as a standalone digit run (a 13-digit timestamp that contains it does not count). */
const standalone = (code: string): RegExp => new RegExp(`(?<!\\d)${code}(?!\\d)`);

describe('pair → webhook over real HTTP', () => {
  it('prints the code once on stdout, never in /health or logs, and exchanges it for a working token', async () => {
    const gateway = await startTestGateway({ toml: DEBUG_LOGS_TOML });
    const code = gateway.pairingCode();
    expect(code).toMatch(/^\d{6}$/);
    if (code === undefined) return;
    const codeLines = gateway.stdoutLines.filter((line) => standalone(code).test(line));
    // The code line and the ready-to-paste curl line of the start-up next steps.
    expect(codeLines).toEqual([
      `gatehouse pairing code: ${code}`,
      `gatehouse pair: curl -X POST ${gateway.url}/pair -H 'X-Pairing-Code: ${code}'`,
    ]);

    const before = await send(gateway, '/health', { method: 'GET' });
    expect(before.body.paired).toBe(false);
    expect(JSON.stringify(before.body)).not.toMatch(standalone(code));

    const paired = await send(gateway, '/pair', { headers: { 'x-pairing-code': code } });
    expect(paired.status).toBe(200);
    expect(paired.headers.get('cache-control')).toBe('no-store');
    expect(paired.body).toEqual({
      paired: true,
      persisted: true,
      token: expect.stringMatching(/^gth_[0-9a-f]{64}$/),
      message: 'Save this token — use it as Authorization: Bearer <token>',
    });
    const token = paired.body.token as string;

    const again = await send(gateway, '/pair', { headers: { 'x-pairing-code': code } });
    expect(again.status).toBe(403);
    expect(again.body).toEqual({ error: 'Invalid pairing code', code: 'PAIRING_CODE_INVALID' });

    const chat = await postMessage(gateway, 'hello there', { token });
    expect(chat.status).toBe(200);
    expect(chat.body).toEqual({ response: 'echo: hello there', model: 'echo', agent: 'default' });

    const after = await send(gateway, '/health', { method: 'GET' });
    expect(after.body.paired).toBe(true);

    expect(gateway.logLines.length).toBeGreaterThan(0);
    for (const line of gateway.logLines) {
      expect(line).not.toMatch(standalone(code));
      expect(line).not.toContain(token);
    }
    // Nothing but the documented plain lines reached stdout: listening, code, web chat, curl.
    expect(gateway.stdoutLines).toHaveLength(4);
  });
});

describe('paired tokens on disk', () => {
  const commentedConfig = [
    '# operator notes: keep this comment',
    DEBUG_LOGS_TOML,
    '[gateway]',
    '# pairing stays on',
    'require_pairing = true',
    '',
  ].join('\n');

  it('stores only the SHA-256 of the token, keeps the comments, and writes the file 0600', async () => {
    const gateway = await startTestGateway({ toml: commentedConfig });
    const token = await gateway.pair();
    const text = readFileSync(gateway.home.configPath, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(4));
    expect(pairedTokensIn(text)).toEqual([sha256(token)]);
    expect(text).toContain('# operator notes: keep this comment');
    expect(text).toContain('# pairing stays on');
    expect(statSync(gateway.home.configPath).mode & 0o777).toBe(0o600);
  });

  it('accepts the old token after a restart and prints no new pairing code', async () => {
    const first = await startTestGateway({ toml: commentedConfig });
    const token = await first.pair();
    const second = await first.restart();
    expect(second.pairingCode()).toBeUndefined();
    expect(second.stdoutLines.some((line) => /pairing code/.test(line))).toBe(false);
    const chat = await postMessage(second, 'still me', { token });
    expect(chat.status).toBe(200);
    expect(chat.body).toEqual({ response: 'echo: still me', model: 'echo', agent: 'default' });
    expect((await send(second, '/health', { method: 'GET' })).body.paired).toBe(true);
  });

  it('hashes a plaintext paired_tokens entry in the file at start, and the token works', async () => {
    const token = handMadeToken('ab12');
    const gateway = await startTestGateway({
      toml: `${commentedConfig}paired_tokens = ["${token}"]\n`,
    });
    const text = readFileSync(gateway.home.configPath, 'utf8');
    expect(text).not.toContain(token);
    expect(pairedTokensIn(text)).toEqual([sha256(token)]);
    expect(text).toContain('# operator notes: keep this comment');
    expect(gateway.pairingCode()).toBeUndefined();
    expect((await postMessage(gateway, 'hi', { token })).status).toBe(200);
    for (const line of gateway.logLines) expect(line).not.toContain(token);
  });

  it('accepts any request without a token when require_pairing = false, and warns at start', async () => {
    const gateway = await startTestGateway({
      toml: `${DEBUG_LOGS_TOML}[gateway]\nrequire_pairing = false\n`,
    });
    expect(gateway.pairingCode()).toBeUndefined();
    const chat = await postMessage(gateway, 'open door');
    expect(chat.status).toBe(200);
    expect(chat.body).toEqual({ response: 'echo: open door', model: 'echo', agent: 'default' });
    const warning = gateway.logLines.find((line) => line.includes('require_pairing = false'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 40 });
  });
});

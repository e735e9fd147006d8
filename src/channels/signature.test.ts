import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  verifyMetaHandshake,
  verifyMetaSignature,
  verifySlackSignature,
  verifyTelegramSecret,
} from './signature.js';

const SECRET = 'app-secret-123';
const RAW = '{"object": "whatsapp_business_account",  "entry": [ ]}';
const rawBody = Buffer.from(RAW);
const hex = (secret: string, data: string): string =>
  createHmac('sha256', secret).update(data).digest('hex');
const good = hex(SECRET, RAW);
const reserialized = JSON.stringify(JSON.parse(RAW) as unknown);

describe('verifyMetaSignature', () => {
  const cases: Array<{ label: string; appSecret?: string; header?: string; ok: boolean }> = [
    { label: 'a correct signature', appSecret: SECRET, header: `sha256=${good}`, ok: true },
    {
      label: 'upper-case hex digits',
      appSecret: SECRET,
      header: `sha256=${good.toUpperCase()}`,
      ok: true,
    },
    { label: 'a missing header', appSecret: SECRET, ok: false },
    { label: 'an empty header', appSecret: SECRET, header: '', ok: false },
    { label: 'an unset app secret', header: `sha256=${good}`, ok: false },
    { label: 'an empty app secret', appSecret: '', header: `sha256=${hex('', RAW)}`, ok: false },
    {
      label: 'a wrong secret',
      appSecret: SECRET,
      header: `sha256=${hex('other', RAW)}`,
      ok: false,
    },
    { label: 'an upper-case prefix', appSecret: SECRET, header: `SHA256=${good}`, ok: false },
    { label: 'no prefix', appSecret: SECRET, header: good, ok: false },
    { label: 'a sha1 prefix', appSecret: SECRET, header: `sha1=${good}`, ok: false },
    {
      label: 'a truncated digest',
      appSecret: SECRET,
      header: `sha256=${good.slice(2)}`,
      ok: false,
    },
    { label: 'an extended digest', appSecret: SECRET, header: `sha256=${good}00`, ok: false },
    {
      label: 'non-hex characters',
      appSecret: SECRET,
      header: `sha256=${'z'.repeat(64)}`,
      ok: false,
    },
    { label: 'surrounding whitespace', appSecret: SECRET, header: ` sha256=${good}`, ok: false },
    {
      label: 'a signature over re-serialized JSON',
      appSecret: SECRET,
      header: `sha256=${hex(SECRET, reserialized)}`,
      ok: false,
    },
  ];

  it.each(cases)('returns $ok for $label', ({ appSecret, header, ok }) => {
    expect(verifyMetaSignature({ appSecret, rawBody, header })).toBe(ok);
  });
});

describe('verifySlackSignature', () => {
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);
  const sign = (secret: string, timestamp: string, body: string): string =>
    `v0=${hex(secret, `v0:${timestamp}:${body}`)}`;
  const cases: Array<{
    label: string;
    signingSecret?: string;
    timestampHeader?: string;
    signatureHeader?: string;
    ok: boolean;
  }> = [
    {
      label: 'a correct signature',
      signingSecret: SECRET,
      timestampHeader: ts,
      signatureHeader: sign(SECRET, ts, RAW),
      ok: true,
    },
    {
      label: 'a timestamp 299 s in the past',
      signingSecret: SECRET,
      timestampHeader: String(Number(ts) - 299),
      signatureHeader: sign(SECRET, String(Number(ts) - 299), RAW),
      ok: true,
    },
    {
      label: 'a timestamp 300 s in the future',
      signingSecret: SECRET,
      timestampHeader: String(Number(ts) + 300),
      signatureHeader: sign(SECRET, String(Number(ts) + 300), RAW),
      ok: true,
    },
    {
      label: 'a timestamp 301 s in the past',
      signingSecret: SECRET,
      timestampHeader: String(Number(ts) - 301),
      signatureHeader: sign(SECRET, String(Number(ts) - 301), RAW),
      ok: false,
    },
    {
      label: 'a timestamp 301 s in the future',
      signingSecret: SECRET,
      timestampHeader: String(Number(ts) + 301),
      signatureHeader: sign(SECRET, String(Number(ts) + 301), RAW),
      ok: false,
    },
    {
      label: 'a non-integer timestamp',
      signingSecret: SECRET,
      timestampHeader: `${ts}.5`,
      signatureHeader: sign(SECRET, `${ts}.5`, RAW),
      ok: false,
    },
    {
      label: 'a negative timestamp',
      signingSecret: SECRET,
      timestampHeader: `-${ts}`,
      signatureHeader: sign(SECRET, `-${ts}`, RAW),
      ok: false,
    },
    {
      label: 'a signature for another timestamp',
      signingSecret: SECRET,
      timestampHeader: ts,
      signatureHeader: sign(SECRET, String(Number(ts) - 1), RAW),
      ok: false,
    },
    {
      label: 'a missing timestamp',
      signingSecret: SECRET,
      signatureHeader: sign(SECRET, ts, RAW),
      ok: false,
    },
    { label: 'a missing signature', signingSecret: SECRET, timestampHeader: ts, ok: false },
    {
      label: 'an unset signing secret',
      timestampHeader: ts,
      signatureHeader: sign(SECRET, ts, RAW),
      ok: false,
    },
    {
      label: 'an empty signing secret',
      signingSecret: '',
      timestampHeader: ts,
      signatureHeader: sign('', ts, RAW),
      ok: false,
    },
    {
      label: 'a wrong secret',
      signingSecret: SECRET,
      timestampHeader: ts,
      signatureHeader: sign('other', ts, RAW),
      ok: false,
    },
    {
      label: 'an upper-case prefix',
      signingSecret: SECRET,
      timestampHeader: ts,
      signatureHeader: sign(SECRET, ts, RAW).replace('v0=', 'V0='),
      ok: false,
    },
    {
      label: 'a v1 prefix',
      signingSecret: SECRET,
      timestampHeader: ts,
      signatureHeader: sign(SECRET, ts, RAW).replace('v0=', 'v1='),
      ok: false,
    },
    {
      label: 'a truncated digest',
      signingSecret: SECRET,
      timestampHeader: ts,
      signatureHeader: sign(SECRET, ts, RAW).slice(0, -1),
      ok: false,
    },
    {
      label: 'a signature over re-serialized JSON',
      signingSecret: SECRET,
      timestampHeader: ts,
      signatureHeader: sign(SECRET, ts, reserialized),
      ok: false,
    },
  ];

  it.each(cases)(
    'returns $ok for $label',
    ({ signingSecret, timestampHeader, signatureHeader, ok }) => {
      expect(
        verifySlackSignature({ signingSecret, timestampHeader, signatureHeader, rawBody, now }),
      ).toBe(ok);
    },
  );
});

describe('verifyTelegramSecret', () => {
  const cases: Array<{ label: string; secretToken?: string; header?: string; ok: boolean }> = [
    { label: 'the configured secret', secretToken: 'tg_secret-1', header: 'tg_secret-1', ok: true },
    { label: 'a missing header', secretToken: 'tg_secret-1', ok: false },
    { label: 'an empty header', secretToken: 'tg_secret-1', header: '', ok: false },
    { label: 'a wrong secret', secretToken: 'tg_secret-1', header: 'tg_secret-2', ok: false },
    { label: 'a prefix of the secret', secretToken: 'tg_secret-1', header: 'tg_secret', ok: false },
    { label: 'an unset secret', header: 'anything', ok: false },
    { label: 'an empty secret and empty header', secretToken: '', header: '', ok: false },
  ];

  it.each(cases)('returns $ok for $label', ({ secretToken, header, ok }) => {
    expect(verifyTelegramSecret({ secretToken, header })).toBe(ok);
  });
});

describe('verifyMetaHandshake', () => {
  const cases: Array<{
    label: string;
    verifyToken?: string;
    mode?: string;
    token?: string;
    ok: boolean;
  }> = [
    {
      label: 'subscribe with the token',
      verifyToken: 'vt',
      mode: 'subscribe',
      token: 'vt',
      ok: true,
    },
    { label: 'a wrong token', verifyToken: 'vt', mode: 'subscribe', token: 'vx', ok: false },
    { label: 'a missing token', verifyToken: 'vt', mode: 'subscribe', ok: false },
    { label: 'another mode', verifyToken: 'vt', mode: 'unsubscribe', token: 'vt', ok: false },
    { label: 'a missing mode', verifyToken: 'vt', token: 'vt', ok: false },
    { label: 'an unset verify token', mode: 'subscribe', token: '', ok: false },
    { label: 'an empty verify token', verifyToken: '', mode: 'subscribe', token: '', ok: false },
  ];

  it.each(cases)('returns $ok for $label', ({ verifyToken, mode, token, ok }) => {
    expect(verifyMetaHandshake({ verifyToken, mode, token })).toBe(ok);
  });
});

import { describe, expect, it } from 'vitest';
import { credentialEnded } from './credential-check.js';

const NOW = 1_700_000_000_000;
const revoked = new Set(['jwt-revoked', `paired:${'a'.repeat(64)}`]);
const isRevoked = (jti: string): boolean => revoked.has(jti);

describe('credentialEnded', () => {
  it.each([
    { label: 'a live JWT', principal: { jti: 'jwt-ok', expiresAt: NOW + 1 }, ended: undefined },
    {
      label: 'a revoked JWT',
      principal: { jti: 'jwt-revoked', expiresAt: NOW + 1 },
      ended: 'revoked',
    },
    { label: 'an expired JWT', principal: { jti: 'jwt-ok', expiresAt: NOW }, ended: 'expired' },
    {
      label: 'a revoked and expired JWT',
      principal: { jti: 'jwt-revoked', expiresAt: NOW - 1 },
      ended: 'revoked',
    },
    {
      label: 'a stored paired token',
      principal: { jti: `paired:${'b'.repeat(64)}` },
      ended: undefined,
    },
    {
      label: 'a removed paired token',
      principal: { jti: `paired:${'a'.repeat(64)}` },
      ended: 'revoked',
    },
    { label: 'a credential without handle or expiry', principal: {}, ended: undefined },
  ])('$label → $ended', ({ principal, ended }) => {
    expect(credentialEnded(principal, isRevoked, NOW)).toBe(ended);
  });
});

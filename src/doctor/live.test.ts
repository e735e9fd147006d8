import { describe, expect, it } from 'vitest';
import { doctorConfig, doctorFacts } from '../test-support/doctor-facts.js';
import { checkLiveGateway } from './live.js';
import type { GatewayFacts } from './types.js';

const config = doctorConfig();
const URL_LOCAL = 'http://127.0.0.1:3000';
const running = (
  extra: Partial<Extract<GatewayFacts, { state: 'running' }>> = {},
): GatewayFacts => ({
  state: 'running',
  url: URL_LOCAL,
  pid: 4242,
  health: { ok: true, status: 'ok' },
  ...extra,
});

describe('checkLiveGateway', () => {
  it.each<[string, GatewayFacts, Array<[string, string, string | undefined]>]>([
    [
      'no gateway.json',
      { state: 'not-running', runtimeFile: '/h/gateway.json' },
      [['gateway-not-running', 'info', undefined]],
    ],
    [
      'gateway.json of a dead pid',
      { state: 'stale', runtimeFile: '/h/gateway.json', pid: 99 },
      [['gateway-runtime-file-stale', 'info', undefined]],
    ],
    ['running and healthy, no public URL', running(), []],
    [
      'running, /health refused',
      running({ health: { ok: false, reason: 'connection failed (ECONNREFUSED)' } }),
      [['gateway-health-failed', 'warning', undefined]],
    ],
    [
      'running, degraded',
      running({ health: { ok: true, status: 'degraded' } }),
      [['gateway-degraded', 'warning', undefined]],
    ],
    [
      'public URL answers',
      running({
        publicUrl: {
          url: 'https://agent.example.com',
          key: 'gateway.public_url',
          health: { ok: true, status: 'ok' },
        },
      }),
      [],
    ],
    [
      'public URL does not answer',
      running({
        publicUrl: {
          url: 'https://agent.example.com',
          key: 'gateway.public_url',
          health: { ok: false, reason: 'HTTP 502' },
        },
      }),
      [['public-url-unreachable', 'warning', 'gateway.public_url']],
    ],
    [
      'local /health fails and the tunnel URL does not answer',
      running({
        health: { ok: false, reason: 'no answer within 3000 ms' },
        publicUrl: {
          url: 'https://abc.trycloudflare.com',
          key: 'tunnel.provider',
          health: { ok: false, reason: 'no answer within 5000 ms' },
        },
      }),
      [
        ['gateway-health-failed', 'warning', undefined],
        ['public-url-unreachable', 'warning', 'tunnel.provider'],
      ],
    ],
  ])('%s', (_label, gateway, expected) => {
    const findings = checkLiveGateway(config, doctorFacts({ gateway }));
    expect(findings.map((finding) => [finding.id, finding.severity, finding.key])).toEqual(
      expected,
    );
  });

  it('names the reason and masks a password in the public URL', () => {
    const [finding] = checkLiveGateway(
      config,
      doctorFacts({
        gateway: running({
          publicUrl: {
            url: 'https://ops:s3cretpass@agent.example.com',
            health: { ok: false, reason: 'HTTP 502' },
          },
        }),
      }),
    );
    expect(finding?.message).toContain('HTTP 502');
    expect(finding?.message).not.toContain('s3cretpass');
    expect(finding).not.toHaveProperty('key');
  });
});

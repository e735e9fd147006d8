import { describe, expect, it } from 'vitest';
import { formatFindingsJson, formatFindingsText } from './format.js';
import type { Finding } from './types.js';

const FINDINGS: Finding[] = [
  {
    id: 'public-without-pairing',
    severity: 'critical',
    key: 'gateway.require_pairing',
    message: 'open to all',
    fix: 'pair',
  },
  { id: 'config-file-readable', severity: 'warning', message: 'mode 644', fix: 'chmod 600 x' },
  { id: 'gateway-not-running', severity: 'info', message: 'skipped', fix: 'start it' },
];

describe('formatFindingsJson', () => {
  it('prints every field, key null when the finding has none', () => {
    expect(JSON.parse(formatFindingsJson(FINDINGS))).toEqual({
      findings: [
        {
          id: 'public-without-pairing',
          severity: 'critical',
          key: 'gateway.require_pairing',
          message: 'open to all',
          fix: 'pair',
        },
        {
          id: 'config-file-readable',
          severity: 'warning',
          key: null,
          message: 'mode 644',
          fix: 'chmod 600 x',
        },
        {
          id: 'gateway-not-running',
          severity: 'info',
          key: null,
          message: 'skipped',
          fix: 'start it',
        },
      ],
    });
  });

  it('prints an empty list when there is nothing to report', () => {
    expect(JSON.parse(formatFindingsJson([]))).toEqual({ findings: [] });
  });
});

describe('formatFindingsText', () => {
  it('groups by severity, critical first, with id, key, message and fix', () => {
    const text = formatFindingsText(FINDINGS, '/etc/gatehouse/config.toml');
    expect(text).toBe(
      [
        'gatehouse doctor: /etc/gatehouse/config.toml',
        '',
        'CRITICAL (1)',
        '  [public-without-pairing] gateway.require_pairing',
        '    open to all',
        '    fix: pair',
        '',
        'WARNING (1)',
        '  [config-file-readable]',
        '    mode 644',
        '    fix: chmod 600 x',
        '',
        'INFO (1)',
        '  [gateway-not-running]',
        '    skipped',
        '    fix: start it',
        '',
        '1 critical, 1 warning(s), 1 info',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no findings and omits empty groups', () => {
    const text = formatFindingsText([], 'x');
    expect(text).toContain('no findings');
    expect(text).not.toContain('CRITICAL');
  });
});

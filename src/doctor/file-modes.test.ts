import { describe, expect, it } from 'vitest';
import { doctorConfig, doctorFacts } from '../test-support/doctor-facts.js';
import {
  checkConfigFileMode,
  checkConfigFilePresent,
  checkStateDirMode,
  checkStateFileModes,
} from './file-modes.js';
import type { DoctorFacts } from './types.js';

const config = doctorConfig();
const CONFIG_PATH = '/home/op/.gatehouse/config.toml';
const A_SECRET = [{ key: 'providers.openai.api_key', env: 'GATEHOUSE_OPENAI_API_KEY' }];

function configFile(mode: number | undefined, fileSecrets: DoctorFacts['fileSecrets'] = []) {
  return doctorFacts({
    configFile: { path: CONFIG_PATH, exists: true, ...(mode === undefined ? {} : { mode }) },
    fileSecrets,
  });
}

describe('checkConfigFileMode', () => {
  it.each<[string, DoctorFacts, Array<[string, string]>]>([
    ['0600', configFile(0o600), []],
    ['0400', configFile(0o400), []],
    ['0700 (owner execute only)', configFile(0o700), []],
    ['mode unknown (Windows)', configFile(undefined, A_SECRET), []],
    ['0644 without secrets', configFile(0o644), [['config-file-readable', 'warning']]],
    ['0640 with secrets', configFile(0o640, A_SECRET), [['config-file-readable', 'critical']]],
    ['0604 with secrets', configFile(0o604, A_SECRET), [['config-file-readable', 'critical']]],
    [
      '0666',
      configFile(0o666),
      [
        ['config-file-writable', 'critical'],
        ['config-file-readable', 'warning'],
      ],
    ],
    ['0620 (group write)', configFile(0o620), [['config-file-writable', 'critical']]],
  ])('%s', (_label, facts, expected) => {
    const findings = checkConfigFileMode(config, facts);
    expect(findings.map((finding) => [finding.id, finding.severity])).toEqual(expected);
    for (const finding of findings) expect(finding.fix).toBe(`chmod 600 ${CONFIG_PATH}`);
  });
});

describe('checkStateFileModes', () => {
  const file = (name: string, mode: number, grantsAccess = false) => ({
    path: `/home/op/.gatehouse/${name}`,
    mode,
    grantsAccess,
  });
  it.each<[string, DoctorFacts['stateFiles'], Array<[string, string]>]>([
    ['none exists', [], []],
    [
      'all private',
      [file('jwt.secret', 0o600, true), file('memory.db', 0o600), file('inbox.db-wal', 0o600)],
      [],
    ],
    ['jwt.secret readable', [file('jwt.secret', 0o644, true)], [['jwt.secret', 'critical']]],
    [
      'admin.secret group-readable',
      [file('admin.secret', 0o640, true)],
      [['admin.secret', 'critical']],
    ],
    ['memory.db readable', [file('memory.db', 0o644)], [['memory.db', 'warning']]],
    ['inbox.db-wal group-writable', [file('inbox.db-wal', 0o620)], [['inbox.db-wal', 'warning']]],
  ])('%s', (_label, stateFiles, expected) => {
    const findings = checkStateFileModes(config, doctorFacts({ stateFiles }));
    expect(
      findings.map((finding) => [
        finding.message.split(' ')[0]?.split('/').pop(),
        finding.severity,
      ]),
    ).toEqual(expected);
    for (const finding of findings) expect(finding.id).toBe('state-file-readable');
  });
});

describe('checkStateDirMode', () => {
  it.each<[string, number | undefined, string[]]>([
    ['0700', 0o700, []],
    ['0755 (readable, not writable)', 0o755, []],
    ['missing or Windows', undefined, []],
    ['0775 (group write)', 0o775, ['state-dir-writable']],
    ['0777', 0o777, ['state-dir-writable']],
  ])('%s', (_label, mode, ids) => {
    const stateDir = { path: '/srv/gatehouse', ...(mode === undefined ? {} : { mode }) };
    const findings = checkStateDirMode(config, doctorFacts({ stateDir }));
    expect(findings.map((finding) => finding.id)).toEqual(ids);
    for (const finding of findings) {
      expect(finding).toMatchObject({ severity: 'critical', fix: 'chmod 700 /srv/gatehouse' });
    }
  });
});

describe('checkConfigFilePresent', () => {
  it('reports a missing config file as info', () => {
    const findings = checkConfigFilePresent(
      config,
      doctorFacts({ configFile: { path: CONFIG_PATH, exists: false } }),
    );
    expect(findings).toMatchObject([{ id: 'config-file-missing', severity: 'info' }]);
  });

  it('says nothing when the file exists', () => {
    expect(checkConfigFilePresent(config, doctorFacts())).toEqual([]);
  });
});

import type { DoctorFacts, Finding } from './types.js';

/*
 * The config file may hold secrets and decides who may connect; the state files hold
 * conversations (memory.db, inbox.db), limits, and the secrets that mint tokens (jwt.secret) or
 * call admin routes (admin.secret). gatehouse creates them 0600 inside a 0700 directory, so a
 * looser mode was set by hand or by a copy.
 */

const GROUP_OTHER_READ = 0o044;
const GROUP_OTHER_WRITE = 0o022;

function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}

/** Config file readable or writable by group/other. */
export function checkConfigFileMode(_config: unknown, facts: DoctorFacts): Finding[] {
  const { path, mode } = facts.configFile;
  if (mode === undefined) return [];
  const findings: Finding[] = [];
  if ((mode & GROUP_OTHER_WRITE) !== 0) {
    findings.push({
      id: 'config-file-writable',
      severity: 'critical',
      message: `${path} is writable by other users (mode ${octal(mode)}): they can change who may connect and where messages go`,
      fix: `chmod 600 ${path}`,
    });
  }
  if ((mode & GROUP_OTHER_READ) !== 0) {
    const holdsSecrets = facts.fileSecrets.length > 0;
    findings.push({
      id: 'config-file-readable',
      severity: holdsSecrets ? 'critical' : 'warning',
      message: holdsSecrets
        ? `${path} holds secrets and is readable by other users (mode ${octal(mode)})`
        : `${path} is readable by other users (mode ${octal(mode)}); it lists paired token hashes and your deployment`,
      fix: `chmod 600 ${path}`,
    });
  }
  return findings;
}

/** State files readable or writable by group/other. */
export function checkStateFileModes(_config: unknown, facts: DoctorFacts): Finding[] {
  return facts.stateFiles
    .filter((file) => (file.mode & (GROUP_OTHER_READ | GROUP_OTHER_WRITE)) !== 0)
    .map((file) => ({
      id: 'state-file-readable',
      severity: file.grantsAccess ? ('critical' as const) : ('warning' as const),
      message: file.grantsAccess
        ? `${file.path} is accessible to other users (mode ${octal(file.mode)}): whoever reads it can mint tokens or call admin routes`
        : `${file.path} is accessible to other users (mode ${octal(file.mode)}): it holds conversations or gateway state`,
      fix: `chmod 600 ${file.path} (and chmod 700 its directory)`,
    }));
}

/** A state directory others may write to: they could replace jwt.secret or the databases. */
export function checkStateDirMode(_config: unknown, facts: DoctorFacts): Finding[] {
  const { path, mode } = facts.stateDir;
  if (mode === undefined || (mode & GROUP_OTHER_WRITE) === 0) return [];
  return [
    {
      id: 'state-dir-writable',
      severity: 'critical',
      message: `the state directory ${path} is writable by other users (mode ${octal(mode)}): they can replace jwt.secret, admin.secret or the databases`,
      fix: `chmod 700 ${path}`,
    },
  ];
}

/** No config file: the defaults were audited, and nothing was created. */
export function checkConfigFilePresent(_config: unknown, facts: DoctorFacts): Finding[] {
  if (facts.configFile.exists) return [];
  return [
    {
      id: 'config-file-missing',
      severity: 'info',
      message: `${facts.configFile.path} does not exist: the defaults (and secrets from the environment) were audited`,
      fix: '`gatehouse start` writes the commented template there; or pass --config PATH',
    },
  ];
}

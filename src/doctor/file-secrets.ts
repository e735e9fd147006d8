import type { DoctorFacts, Finding } from './types.js';

/*
 * A secret in the config file travels with every copy of it (backups, a pasted `cat`, a commit).
 * From the environment (a systemd EnvironmentFile, a secret manager) it stays out of the file;
 * the environment wins over the file, so moving it changes nothing else.
 */

/** One finding per secret written in the config file, naming the env var that can carry it. */
export function checkFileSecrets(_config: unknown, facts: DoctorFacts): Finding[] {
  return facts.fileSecrets.map(({ key, env }) => ({
    id: 'secret-in-config-file',
    severity: 'warning' as const,
    key,
    message: `${key} is written in ${facts.configFile.path}; it could come from the environment variable ${env} instead`,
    fix: `remove ${key} from the config file and set ${env} in the gateway's environment`,
  }));
}

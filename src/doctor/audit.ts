import type { Config } from '../config/schema.js';
import { maskUrlPasswords } from '../config/mask.js';
import { checkChannelSecrets } from './channel-secrets.js';
import { checkPublicBind, checkPublicExposure } from './exposure.js';
import {
  checkConfigFileMode,
  checkConfigFilePresent,
  checkStateDirMode,
  checkStateFileModes,
} from './file-modes.js';
import { checkFileSecrets } from './file-secrets.js';
import { checkForwardedHeaders, checkTrustedProxyWidth } from './forwarded.js';
import { checkLiveGateway } from './live.js';
import { checkPlainHttp } from './plain-http.js';
import { checkTunnel } from './tunnel.js';
import { SEVERITIES } from './types.js';
import type { DoctorCheck, DoctorFacts, Finding } from './types.js';

/** Every check, in the order their findings appear within one severity. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  checkPublicExposure,
  checkPublicBind,
  checkForwardedHeaders,
  checkTrustedProxyWidth,
  checkChannelSecrets,
  checkPlainHttp,
  checkConfigFilePresent,
  checkConfigFileMode,
  checkStateDirMode,
  checkStateFileModes,
  checkFileSecrets,
  checkTunnel,
  checkLiveGateway,
];

/** Runs every check; findings sorted critical first, with URL passwords masked as a last guard. */
export function auditConfig(config: Config, facts: DoctorFacts): Finding[] {
  const findings = DOCTOR_CHECKS.flatMap((check) => check(config, facts));
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity) ||
        a.index - b.index,
    )
    .map(({ finding }) => ({
      ...finding,
      message: maskUrlPasswords(finding.message),
      fix: maskUrlPasswords(finding.fix),
    }));
}

/** 1 when any finding is critical, else 0. */
export function doctorExitCode(findings: readonly Finding[]): 0 | 1 {
  return findings.some((finding) => finding.severity === 'critical') ? 1 : 0;
}

import { SEVERITIES } from './types.js';
import type { Finding, Severity } from './types.js';

const HEADINGS: Record<Severity, string> = {
  critical: 'CRITICAL',
  warning: 'WARNING',
  info: 'INFO',
};

/** The `--json` document: `{"findings":[{id,severity,key,message,fix}]}` (key null when none). */
export function formatFindingsJson(findings: readonly Finding[]): string {
  const rows = findings.map((finding) => ({
    id: finding.id,
    severity: finding.severity,
    key: finding.key ?? null,
    message: finding.message,
    fix: finding.fix,
  }));
  return `${JSON.stringify({ findings: rows }, null, 2)}\n`;
}

/** The readable report: one block per severity (critical first), then a count line. */
export function formatFindingsText(findings: readonly Finding[], subject: string): string {
  const lines = [`gatehouse doctor: ${subject}`, ''];
  for (const severity of SEVERITIES) {
    const group = findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${HEADINGS[severity]} (${group.length})`);
    for (const finding of group) {
      lines.push(`  [${finding.id}]${finding.key === undefined ? '' : ` ${finding.key}`}`);
      lines.push(`    ${finding.message}`);
      lines.push(`    fix: ${finding.fix}`);
    }
    lines.push('');
  }
  const count = (severity: Severity): number =>
    findings.filter((finding) => finding.severity === severity).length;
  lines.push(
    findings.length === 0
      ? 'no findings'
      : `${count('critical')} critical, ${count('warning')} warning(s), ${count('info')} info`,
  );
  return `${lines.join('\n')}\n`;
}

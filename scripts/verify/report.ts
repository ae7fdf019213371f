/**
 * One result per check, and the two ways to print them: a table for people (one line per check,
 * then the cause and where to look for each failure) and JSON for machines.
 */

export type Status = 'pass' | 'fail' | 'skip';
export type Group = 'signals' | 'shape' | 'correlation' | 'elasticsearch' | 'kibana' | 'fleet';

export interface CheckResult {
  readonly id: string;
  readonly group: Group;
  readonly status: Status;
  /** What was seen (pass), what is wrong (fail) or why it did not run (skip). */
  readonly detail: string;
  /** Failures: the likely cause. */
  readonly cause?: string;
  /** Failures: where to look (a docs section or a runbook). */
  readonly see?: string;
  /** Evidence the check looked at (document timestamps, ids, counts). */
  readonly evidence?: Readonly<Record<string, unknown>>;
  /**
   * The condition may still change with time (no document yet, a rule that has not run): the
   * runner looks again until the deadline. A failure that is pending at the deadline stays a failure.
   */
  readonly pending?: boolean;
}

export const DOCS = 'docs/verify.md';

/** The sections of docs/verify.md a failure points to (a test checks each is a heading there). */
export const SECTIONS = [
  'logs',
  'metrics',
  'traces',
  'kubernetes-metrics',
  'logs-shape',
  'metrics-shape',
  'field-types',
  'correlation',
  'objects',
  'rules',
  'slos',
  'connector',
  'agents',
  'troubleshooting',
  'drill',
] as const;
export type Section = (typeof SECTIONS)[number];

export function pass(group: Group, id: string, detail: string, evidence?: CheckResult['evidence']): CheckResult {
  return { id, group, status: 'pass', detail, ...(evidence ? { evidence } : {}) };
}

export function skip(group: Group, id: string, reason: string): CheckResult {
  return { id, group, status: 'skip', detail: reason };
}

export function fail(
  group: Group,
  id: string,
  detail: string,
  cause: string,
  section: Section,
  extra: { pending?: boolean; evidence?: CheckResult['evidence'] } = {},
): CheckResult {
  return { id, group, status: 'fail', detail, cause, see: `${DOCS}#${section}`, ...extra };
}

export interface Report {
  readonly target: Readonly<Record<string, string>>;
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
  readonly counts: Readonly<Record<Status, number>>;
}

export function buildReport(target: Report['target'], checks: readonly CheckResult[]): Report {
  const counts = { pass: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return { target, checks, passed: counts.fail === 0 && counts.pass > 0, counts };
}

const MARK: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

export function formatReport(report: Report): string {
  const width = Math.max(...report.checks.map((c) => c.id.length), 10);
  const lines = [
    `Target: ${Object.entries(report.target).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '',
    ...report.checks.map((c) => `${MARK[c.status]}  ${c.group.padEnd(13)} ${c.id.padEnd(width)}  ${c.detail}`),
  ];
  const failures = report.checks.filter((c) => c.status === 'fail');
  if (failures.length > 0) {
    lines.push('', 'What to do:');
    for (const c of failures) lines.push(`  ${c.id}: ${c.cause ?? ''}`, `    see ${c.see ?? DOCS}`);
  }
  lines.push(
    '',
    `${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped: ` +
      (report.passed ? 'the stack works end to end.' : 'NOT verified.'),
  );
  return `${lines.join('\n')}\n`;
}

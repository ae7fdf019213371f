/**
 * CPU time and resident memory of another process, read from /proc on Linux (`ps` elsewhere).
 * Used to sample the measured process from outside it, so sampling costs it nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcSample {
  /** User + system CPU time consumed so far, in seconds. */
  readonly cpuSeconds: number;
  /** Resident set size in bytes. */
  readonly rssBytes: number;
}

/** Clock ticks per second for /proc/<pid>/stat times (sysconf(_SC_CLK_TCK); 100 on every mainstream Linux). */
function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

const HAS_PROC = process.platform === 'linux';
let ticks: number | undefined;

function sampleProc(pid: number): ProcSample {
  ticks ??= clockTicks();
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return { cpuSeconds: (utime + stime) / ticks, rssBytes: rssKb * 1024 };
}

/** `ps` TIME is [[dd-]hh:]mm:ss[.ss]. */
export function parsePsTime(raw: string): number {
  const [days, rest] = raw.includes('-') ? raw.split('-', 2) : ['0', raw];
  return (rest ?? '')
    .split(':')
    .reduce((acc, part) => acc * 60 + Number(part), 0) + Number(days) * 86_400;
}

function samplePs(pid: number): ProcSample {
  const out = execFileSync('ps', ['-o', 'rss=', '-o', 'time=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  const [rss, time] = out.split(/\s+/);
  return { cpuSeconds: parsePsTime(time ?? '0'), rssBytes: Number(rss) * 1024 };
}

/** One sample of the process's CPU time and RSS; throws when the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  return HAS_PROC ? sampleProc(pid) : samplePs(pid);
}

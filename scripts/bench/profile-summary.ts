/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, as `npm run bench -- --cpu-prof <dir>` writes):
 * where the samples fall by package, self and inclusive (a sample counts for every package on its
 * stack), and the hottest functions by self time. Idle time is excluded from the percentages.
 *
 *   tsx scripts/bench/profile-summary.ts <file.cpuprofile | directory> [--top 25]
 *
 * Given a directory (one per measured process), it reads the main thread's profile: Node names
 * profiles CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile and the main thread's id is 0.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (or area) a frame belongs to: `pino`, `@opentelemetry/sdk-trace-base`, `node:http`, `service`, `(gc)`. */
export function frameOwner(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program)';
    if (functionName === '(root)') return '(root)';
    return '(native)';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  if (url.includes('/service/src/')) return 'service';
  if (url.includes('/scripts/bench/')) return 'bench-app';
  return url;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly busyMs: number;
  readonly byOwnerSelf: ReadonlyArray<{ owner: string; ms: number; pct: number }>;
  readonly byOwnerInclusive: ReadonlyArray<{ owner: string; ms: number; pct: number }>;
  readonly topFunctions: ReadonlyArray<{ fn: string; owner: string; ms: number; pct: number }>;
  /** Functions by inclusive time (a sample counts once for every distinct function on its stack), dependencies' only. */
  readonly topInclusiveFunctions: ReadonlyArray<{ fn: string; owner: string; ms: number; pct: number }>;
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const fnSelf = new Map<string, { owner: string; ms: number }>();
  const ownersOnStack = new Map<number, Set<string>>();
  const fnKey = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
  const fnIncl = new Map<string, { owner: string; ms: number }>();
  const fnsOnStack = new Map<number, Map<string, string>>();
  const stackFns = (id: number): Map<string, string> => {
    let map = fnsOnStack.get(id);
    if (map !== undefined) return map;
    const p = parent.get(id);
    map = new Map(p === undefined ? [] : stackFns(p));
    const node = byId.get(id);
    if (node !== undefined && node.callFrame.url !== '') map.set(fnKey(node.callFrame), frameOwner(node.callFrame));
    fnsOnStack.set(id, map);
    return map;
  };
  const stackOwners = (id: number): Set<string> => {
    let set = ownersOnStack.get(id);
    if (set !== undefined) return set;
    const p = parent.get(id);
    set = new Set(p === undefined ? [] : stackOwners(p));
    const node = byId.get(id);
    if (node !== undefined) set.add(frameOwner(node.callFrame));
    ownersOnStack.set(id, set);
    return set;
  };
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined) return;
    total += ms;
    const owner = frameOwner(node.callFrame);
    if (owner === '(idle)') {
      idle += ms;
      return;
    }
    self.set(owner, (self.get(owner) ?? 0) + ms);
    for (const o of stackOwners(id)) if (o !== '(root)') incl.set(o, (incl.get(o) ?? 0) + ms);
    for (const [k, o] of stackFns(id)) {
      const e = fnIncl.get(k) ?? { owner: o, ms: 0 };
      e.ms += ms;
      fnIncl.set(k, e);
    }
    const key = fnKey(node.callFrame);
    const e = fnSelf.get(key) ?? { owner, ms: 0 };
    e.ms += ms;
    fnSelf.set(key, e);
  });
  const busy = total - idle;
  const rank = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([owner, ms]) => ({ owner, ms, pct: (ms / busy) * 100 }));
  return {
    totalMs: total,
    busyMs: busy,
    byOwnerSelf: rank(self),
    byOwnerInclusive: rank(incl),
    topFunctions: [...fnSelf.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([fn, e]) => ({ fn, owner: e.owner, ms: e.ms, pct: (e.ms / busy) * 100 })),
    topInclusiveFunctions: [...fnIncl.entries()]
      .filter(([, e]) => !e.owner.startsWith('node:') && e.owner !== 'express' && e.owner !== 'router' && e.owner !== 'tsx')
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([fn, e]) => ({ fn, owner: e.owner, ms: e.ms, pct: (e.ms / busy) * 100 })),
  };
}

/** The main thread's profile in a directory written by `--cpu-prof-dir`. */
export function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (main !== undefined) return join(dir, main);
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, files.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0] as string);
}

function main(): void {
  const args = process.argv.slice(2);
  const arg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--top');
  const topIdx = args.indexOf('--top');
  const top = topIdx === -1 ? 25 : Number(args[topIdx + 1]);
  if (arg === undefined || !Number.isInteger(top) || top < 1) {
    console.error('usage: tsx scripts/bench/profile-summary.ts <file.cpuprofile | directory> [--top N]');
    process.exit(2);
  }
  const file = statSync(arg).isDirectory() ? mainThreadProfile(arg) : arg;
  const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
  const pct = (n: number): string => `${n.toFixed(1).padStart(5)}%`;
  console.log(`${basename(file)}: ${(s.busyMs / 1000).toFixed(1)} s busy of ${(s.totalMs / 1000).toFixed(1)} s sampled`);
  console.log('\nself time by package            inclusive time by package (on the stack)');
  for (let i = 0; i < 25; i++) {
    const a = s.byOwnerSelf[i];
    const b = s.byOwnerInclusive[i];
    if (a === undefined && b === undefined) break;
    const left = a === undefined ? '' : `${pct(a.pct)}  ${a.owner}`;
    const right = b === undefined ? '' : `${pct(b.pct)}  ${b.owner}`;
    console.log(`${left.padEnd(32)} ${right}`);
  }
  console.log('\nhottest functions (self time)');
  for (const f of s.topFunctions) console.log(`${pct(f.pct)}  ${f.fn}  [${f.owner}]`);
  console.log('\nheaviest dependency and service functions (inclusive time)');
  for (const f of s.topInclusiveFunctions) console.log(`${pct(f.pct)}  ${f.fn}  [${f.owner}]`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(basename(process.argv[1]))) main();

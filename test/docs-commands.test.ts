/**
 * The commands the README and docs/*.md show exist as shown: every `make <target>` in code is a
 * Makefile target, and every `--flag` given to `npm run provision-kibana` or the traffic generator
 * (in a command line, or in a flag table of that command's page or README section) is one the
 * command's own `--help` lists.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { marked, type Token, type Tokens } from 'marked';
import { REPO_ROOT } from './support/contracts.js';

/** Targets another branch adds; named in the docs already, accepted only while the Makefile lacks them. */
const LANDS_LATER = new Set(['verify', 'drill']);

const PAGES = ['README.md', ...readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const TARGETS = new Set([...readFileSync(path.join(REPO_ROOT, 'Makefile'), 'utf8').matchAll(/^([a-z][a-z-]*):/gm)].map((m) => m[1] as string));

function helpFlags(script: string): Set<string> {
  const help = execFileSync(process.execPath, ['--import', 'tsx', script, '--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return new Set([...help.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] as string));
}

type Cli = 'provision-kibana' | 'traffic';
const flagsOf = (text: string) => [...text.matchAll(/(?:^|[\s[(`|])--([a-z][a-z-]*)/g)].map((m) => m[1] as string);

/** Which command a line of code runs, and the text after its name. */
function commandIn(line: string): { cli: Cli; rest: string } | undefined {
  const provision = line.indexOf('provision-kibana');
  if (provision >= 0) return { cli: 'provision-kibana', rest: line.slice(provision) };
  const traffic = /npm run traffic|generate-traffic\.sh/.exec(line);
  return traffic ? { cli: 'traffic', rest: line.slice(traffic.index) } : undefined;
}

/** The command a page's flag tables describe: the page's own, or in the README the section's. */
function tableCli(page: string, section: string): Cli | undefined {
  if (page === 'docs/provisioning.md') return 'provision-kibana';
  if (page === 'docs/traffic.md') return 'traffic';
  if (page === 'README.md') return section.includes('provision-kibana') ? 'provision-kibana' : /traffic/i.test(section) ? 'traffic' : undefined;
  return undefined;
}

interface Use {
  readonly page: string;
  readonly cli?: Cli;
  readonly flag?: string;
  readonly target?: string;
}

function usesIn(page: string): Use[] {
  const uses: Use[] = [];
  let section = '';
  const code = (text: string) => {
    for (const line of text.split('\n')) {
      for (const m of line.matchAll(/(?:^|[\s|;&(`])make\s+([a-z][a-z-]*)/g)) uses.push({ page, target: m[1] as string });
      const command = commandIn(line);
      if (command) for (const flag of flagsOf(command.rest)) uses.push({ page, cli: command.cli, flag });
    }
  };
  marked.walkTokens(marked.lexer(readFileSync(path.join(REPO_ROOT, page), 'utf8')), (token: Token) => {
    if (token.type === 'heading' && (token as Tokens.Heading).depth <= 2) section = (token as Tokens.Heading).text;
    if (token.type === 'code' || token.type === 'codespan') code((token as Tokens.Code).text);
    if (token.type === 'table') {
      const cli = tableCli(page, section);
      if (cli === undefined) return;
      for (const row of (token as Tokens.Table).rows) {
        const first = row[0]?.text ?? '';
        if (first.startsWith('`--')) for (const flag of flagsOf(first)) uses.push({ page, cli, flag });
      }
    }
  });
  return uses;
}

describe('commands shown in the documentation', () => {
  const uses = PAGES.flatMap(usesIn);
  const known: Record<Cli, Set<string>> = {
    'provision-kibana': helpFlags('scripts/provision-kibana.ts'),
    traffic: helpFlags('scripts/traffic/cli.ts'),
  };

  it('finds make targets and flags of both commands to check', () => {
    assert.ok(uses.some((u) => u.target === 'deploy'));
    assert.ok(uses.some((u) => u.cli === 'provision-kibana' && u.flag === 'print-role'));
    assert.ok(uses.some((u) => u.cli === 'traffic' && u.flag === 'port-forward'));
    assert.ok(known['provision-kibana'].has('dry-run') && !known['provision-kibana'].has('no-such-flag'));
  });

  it('names only make targets the Makefile has', () => {
    const missing = uses.filter((u) => u.target !== undefined && !TARGETS.has(u.target) && !LANDS_LATER.has(u.target));
    assert.deepEqual(missing.map((u) => `${u.page}: make ${u.target}`), []);
  });

  it('gives each command only flags its --help lists', () => {
    const unknown = uses.filter((u) => u.cli !== undefined && u.flag !== undefined && !known[u.cli].has(u.flag));
    assert.deepEqual([...new Set(unknown.map((u) => `${u.page}: ${u.cli} --${u.flag}`))], []);
  });
});

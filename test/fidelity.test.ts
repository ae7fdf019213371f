/**
 * The fidelity ledger (docs/fidelity.md) keeps one shape, so that every assumption can be read the
 * same way and none points at a test that does not exist: each table has the five columns, each
 * row a status from the three the page defines, and each test file it names is in the repository.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from './support/contracts.js';

const HEADER = ['Artefact', 'Fact', 'Source', 'Status', 'Enforced by'];
const STATUSES = ['verified in source', 'verified by contract file', 'live only'];

/** Cells of a Markdown table row; `\|` and pipes inside backticks stay in their cell. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let code = false;
  for (let i = 1; i < line.length; i++) {
    const c = line[i];
    if (c === '`') code = !code;
    if (c === '\\' && line[i + 1] === '|') {
      cell += '|';
      i++;
      continue;
    }
    if (c === '|' && !code) {
      out.push(cell.trim());
      cell = '';
      continue;
    }
    cell += c;
  }
  return out;
}

interface Table {
  readonly section: string;
  readonly header: string[];
  readonly rows: Array<{ readonly line: number; readonly cells: string[] }>;
}

function tables(markdown: string): Table[] {
  const out: Table[] = [];
  let section = '';
  let current: Table | undefined;
  markdown.split('\n').forEach((line, index) => {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    if (!line.startsWith('|')) {
      current = undefined;
      return;
    }
    if (current === undefined) {
      current = { section, header: cells(line), rows: [] };
      out.push(current);
      return;
    }
    if (/^\|[-| :]+\|$/.test(line)) return;
    current.rows.push({ line: index + 1, cells: cells(line) });
  });
  return out;
}

function repoFiles(dir = ''): string[] {
  return readdirSync(path.join(REPO_ROOT, dir)).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const rel = path.join(dir, name);
    return statSync(path.join(REPO_ROOT, rel)).isDirectory() ? repoFiles(rel) : [rel];
  });
}

const ledger = tables(readFileSync(path.join(REPO_ROOT, 'docs', 'fidelity.md'), 'utf8'));

describe('fidelity ledger', () => {
  test('every section is one table with the five columns', () => {
    assert.ok(ledger.length >= 7, 'the ledger has its sections');
    for (const t of ledger) assert.deepEqual(t.header, HEADER, `section "${t.section}"`);
  });

  test('every row has five cells and a status the page defines', () => {
    for (const t of ledger) {
      for (const row of t.rows) {
        assert.equal(row.cells.length, HEADER.length, `docs/fidelity.md:${row.line} has ${row.cells.length} cells`);
        const status = row.cells[3] ?? '';
        assert.ok(STATUSES.some((s) => status.startsWith(s)), `docs/fidelity.md:${row.line}: status "${status}" is not one of ${STATUSES.join(', ')}`);
      }
    }
  });

  test('every test file a row names as its enforcement exists', () => {
    const files = repoFiles();
    const basenames = new Set(files.map((f) => path.basename(f)));
    for (const t of ledger) {
      for (const row of t.rows) {
        const named = [...(row.cells[4] ?? '').matchAll(/`([^`\s]+\.ts)`/g)].map((m) => m[1] as string);
        for (const file of named) {
          const found = file.includes('/') ? files.includes(path.normalize(file)) : basenames.has(file);
          assert.ok(found, `docs/fidelity.md:${row.line} names ${file}, which does not exist`);
        }
      }
    }
  });
});

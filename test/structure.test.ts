/**
 * Layering of the repository: definitions (`elastic/`, `fleet/`, `kibana/`, `alerts/`) are data typed
 * by `model/`, and `scripts/` applies them. Data never imports the layer that applies it, the model
 * imports neither, and no module imports itself through a circle.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFINITIONS = ['elastic', 'fleet', 'kibana', 'alerts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Local modules a file imports (static `import`/`export … from` and dynamic `import()`), as repository paths. */
function localImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] as string);
  return specifiers.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, '.ts'));
}

const files = ['model', 'scripts', ...DEFINITIONS].flatMap(sourceFiles).filter((f) => !/\.test\.ts$|\/test\//.test(f));
const graph = new Map(files.map((f) => [f, localImports(f)]));

describe('repository layering', () => {
  it('finds the modules it checks', () => {
    assert.ok(graph.has('model/resources.ts'));
    assert.ok(graph.has('scripts/provision/engine.ts'));
    assert.ok([...graph.keys()].filter((f) => f.startsWith('kibana/')).length > 5);
  });

  it('keeps definition modules from importing the scripts that apply them', () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      DEFINITIONS.some((d) => file.startsWith(`${d}/`)) ? imports.filter((i) => i.startsWith('scripts/')).map((i) => `${file} → ${i}`) : [],
    );
    assert.deepEqual(upward, []);
  });

  it('keeps the model free of imports from the definitions and the engine', () => {
    const imports = [...graph].filter(([file]) => file.startsWith('model/')).flatMap(([file, deps]) => deps.map((d) => `${file} → ${d}`));
    assert.deepEqual(imports.filter((i) => !/→ model\//.test(i)), []);
  });

  it('has no import circle among the non-test modules', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) if (graph.has(dep)) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(circles, []);
  });
});

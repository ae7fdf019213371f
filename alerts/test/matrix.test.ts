import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DOC_PATH, END, loadSources, panelsFor, renderGenerated, spliceGenerated, START } from '../matrix.js';
import { alertSpecs } from '../catalogue.js';
import { ALERT_IDS } from '../ids.js';

describe('docs/alerts.md', () => {
  test('the committed catalogue and traceability matrix are in sync with the definitions (run npm run docs:alerts)', async () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    const sources = await loadSources();
    assert.deepEqual(sources.notes, [], 'dashboards and scenarios should load in this tree');
    assert.equal(spliceGenerated(doc, renderGenerated(sources)), doc, 'docs/alerts.md is out of date: run npm run docs:alerts');
  });

  test('the matrix has one row per alert and says "—" for missing links instead of failing', () => {
    const text = renderGenerated({});
    const matrix = text.slice(text.indexOf('### Traceability matrix'));
    for (const id of ALERT_IDS) assert.match(matrix, new RegExp(`\\| \`${id}\` \\|`));
    assert.match(matrix, /\| — \|/);
    assert.ok(text.startsWith(START) && text.endsWith(END));
  });

  test('the generated section replaces itself and leaves the prose alone', () => {
    const once = spliceGenerated('# Prose\n', `${START}\nA\n${END}`);
    const twice = spliceGenerated(once, `${START}\nB\n${END}`);
    assert.equal(twice, `# Prose\n\n${START}\nB\n${END}\n`);
  });

  test('an alert links to a panel that shows its signal, not to link-only markdown panels', () => {
    const spec = alertSpecs().find((s) => s.alertId === 'event-loop-lag');
    assert.ok(spec);
    const panels = [
      { dashboard: 'D', title: 'lag', type: 'lens', fields: [spec.fields.find((f) => f.includes('eventloop')) ?? ''], state: '{}' },
      { dashboard: 'D', title: 'nav', type: 'visualization', fields: [], state: JSON.stringify(spec.fields) },
      { dashboard: 'D', title: 'cpu', type: 'lens', fields: ['prometheus.process_cpu_seconds_total.rate'], state: '{}' },
    ];
    assert.deepEqual(panelsFor(spec, panels).map((p) => p.title), ['lag']);
  });
});

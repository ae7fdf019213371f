import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../test/support/contracts.js';
import { MAPPING_END, MAPPING_START, mappingReference } from './docs.js';

test('docs/telemetry-contract.md holds the generated mapping of every metric, log, APM and kubernetes field', () => {
  // Regenerate with: UPDATE_CONTRACT_DOCS=1 node --import tsx --test kibana/contract/docs.test.ts
  const file = path.join(REPO_ROOT, 'docs', 'telemetry-contract.md');
  const doc = readFileSync(file, 'utf8');
  const start = doc.indexOf(MAPPING_START);
  const end = doc.indexOf(MAPPING_END);
  assert.ok(start >= 0 && end > start, `docs/telemetry-contract.md lacks the ${MAPPING_START} … ${MAPPING_END} section`);
  const expected = mappingReference();
  const actual = doc.slice(start, end + MAPPING_END.length);
  if (actual !== expected && process.env.UPDATE_CONTRACT_DOCS === '1') {
    writeFileSync(file, doc.slice(0, start) + expected + doc.slice(end + MAPPING_END.length));
    return;
  }
  assert.equal(actual, expected, 'docs/telemetry-contract.md is out of date: run UPDATE_CONTRACT_DOCS=1 node --import tsx --test kibana/contract/docs.test.ts');
});

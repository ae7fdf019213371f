/**
 * Every ECK object the overlays render is checked against ECK 3.5.0's own CRD schemas
 * (eck-all-crds.yaml, published by Elastic as crds.yaml): ajv validation of the openAPIV3Schema,
 * plus a check that no field would be silently pruned by the API server (structural schemas drop
 * unknown fields instead of rejecting them, e.g. a misspelt `daemonSet.strategy`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { contractFile } from '../support/contracts.js';
import { allOverlays, group, isEck, kubectlSkipReason, ref, render, type Json } from './support/manifests.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const crds = contractFile('eck-all-crds.yaml');
const kubectlSkip = kubectlSkipReason();
const skip = crds.skip ?? kubectlSkip;
if (skip !== undefined) console.log(`# ${skip}`);

interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: Json };
}

function loadSchemas(file: string): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: CrdVersion[] } } | null;
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec === undefined) continue;
    for (const v of crd.spec.versions) {
      if (v.served) out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
    }
  }
  return out;
}

/** Paths of fields the API server would prune: not declared and not under preserve-unknown-fields. */
export function prunedFields(value: unknown, schema: Json | undefined, at = ''): string[] {
  if (schema === undefined || value === null || typeof value !== 'object') return [];
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => prunedFields(item, schema.items as Json | undefined, `${at}[${i}]`));
  }
  const props = schema.properties as Record<string, Json> | undefined;
  const additional = schema.additionalProperties;
  const out: string[] = [];
  for (const [key, v] of Object.entries(value as Json)) {
    if (props?.[key] !== undefined) out.push(...prunedFields(v, props[key], `${at}.${key}`));
    else if (additional !== undefined && additional !== false) {
      out.push(...prunedFields(v, typeof additional === 'object' ? (additional as Json) : undefined, `${at}.${key}`));
    } else if (props !== undefined || additional === false) out.push(`${at}.${key}`);
  }
  return out;
}

test('every rendered ECK object validates against the ECK 3.5.0 CRD schema', { skip }, () => {
  const schemas = loadSchemas(crds.path as string);
  assert.ok(schemas.size >= 12, 'CRD file holds the ECK schemas');
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction>();
  let checked = 0;
  for (const overlay of allOverlays()) {
    for (const o of render(overlay).filter(isEck)) {
      const key = `${o.apiVersion}/${o.kind}`;
      const schema = schemas.get(key);
      assert.ok(schema !== undefined, `${overlay} ${ref(o)}: no CRD version serves ${key}`);
      let validate = compiled.get(key);
      if (validate === undefined) {
        validate = ajv.compile(schema);
        compiled.set(key, validate);
      }
      const ok = validate(o);
      assert.ok(ok, `${overlay} ${ref(o)}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
      // metadata is validated by the API server itself, not by the CRD schema.
      const pruned = prunedFields({ ...o, metadata: {} }, schema);
      assert.deepEqual(pruned, [], `${overlay} ${ref(o)}: fields the API server would drop`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `checked ${checked} objects`);
});

test('the schema check catches an unknown field and a wrong type', { skip }, () => {
  const schemas = loadSchemas(crds.path as string);
  const agent = render('k8s/overlays/local').find((o) => o.kind === 'Agent' && o.metadata.name === 'elastic-agent');
  assert.ok(agent !== undefined);
  const schema = schemas.get(`${agent.apiVersion}/Agent`);
  const bad = structuredClone(agent) as unknown as Json & { spec: Json & { daemonSet: Json } };
  bad.spec.daemonSet.strategy = bad.spec.daemonSet.updateStrategy; // the docs' misspelling
  assert.deepEqual(prunedFields({ ...bad, metadata: {} }, schema), ['.spec.daemonSet.strategy']);
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(schema as Json);
  assert.equal(validate({ ...agent, spec: { ...(agent.spec as Json), mode: 'managed' } }), false);
  assert.equal(group(agent), 'agent.k8s.elastic.co');
});

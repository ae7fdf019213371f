/** Every core Kubernetes object the overlays render validates against its schema (kubernetes-models). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as models from 'kubernetes-models';
import { allOverlays, group, isEck, kubectlSkipReason, ref, render, type K8sObject } from './support/manifests.js';

const skip = kubectlSkipReason();
if (skip !== undefined) console.log(`# ${skip}`);

type Model = new (data: unknown) => { validate(): void };

/** `rbac.authorization.k8s.io/v1` -> models.rbacAuthorizationK8sIo.v1; `v1` -> models.v1. */
function modelFor(o: K8sObject): Model | undefined {
  const [g, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const key = g === '' ? version : (g ?? '').replace(/[.-](\w)/g, (_m, c: string) => c.toUpperCase());
  const groupModule = (models as unknown as Record<string, Record<string, Record<string, Model>> | Record<string, Model>>)[key ?? ''];
  if (groupModule === undefined) return undefined;
  const versioned = g === '' ? (groupModule as Record<string, Model>) : (groupModule as Record<string, Record<string, Model>>)[version ?? ''];
  return versioned?.[o.kind];
}

test('every core Kubernetes object validates with kubernetes-models', { skip }, () => {
  let checked = 0;
  for (const overlay of allOverlays()) {
    for (const o of render(overlay).filter((x) => !isEck(x))) {
      const Model = modelFor(o);
      assert.ok(Model !== undefined, `${overlay} ${ref(o)}: no kubernetes-models class for ${o.apiVersion} ${o.kind} (group ${group(o)})`);
      assert.doesNotThrow(() => new Model(o).validate(), `${overlay} ${ref(o)}`);
      checked++;
    }
  }
  assert.ok(checked > 40, `checked ${checked}`);
});

test('the model validation rejects a malformed object', { skip }, () => {
  const dep = render('k8s/overlays/local').find((o) => o.kind === 'Deployment' && o.metadata.name === 'sample-service');
  assert.ok(dep !== undefined);
  const Model = modelFor(dep);
  assert.ok(Model !== undefined);
  const bad = structuredClone(dep) as K8sObject & { spec: { replicas: unknown } };
  bad.spec.replicas = 'two';
  assert.throws(() => new Model(bad).validate(), /replicas/);
});

/**
 * Every alerting object this project defines: connectors, SLOs and rules, as plain data.
 * Settings (runbook base URL, optional connectors) come from the environment, validated once
 * (settings.ts); pass an explicit env in tests.
 */
import type { Resource } from '../model/resources.js';
import { alertSpecs } from './catalogue.js';
import { connectorResources } from './connectors.js';
import { buildRule } from './rules/model.js';
import { loadAlertingSettings } from './settings.js';
import { sloResources } from './slos.js';

export function alertResources(env: Readonly<Record<string, string | undefined>> = process.env): Resource[] {
  const settings = loadAlertingSettings(env);
  return [...connectorResources(settings), ...sloResources(), ...alertSpecs().map((spec) => buildRule(spec, settings))];
}

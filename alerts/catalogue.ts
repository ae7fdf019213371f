/** Every alert spec, in one list: rule files contribute, index.ts turns them into rule bodies. */
import { apmLatencySpec } from './rules/apm.js';
import { serviceDownSpecs } from './rules/availability.js';
import { burnRateSpecs } from './rules/burn-rate.js';
import { memorySaturationSpec, podRestartsSpec } from './rules/kubernetes.js';
import { errorLogSpikeSpec } from './rules/logs.js';
import type { AlertSpec } from './rules/model.js';
import { eventLoopLagSpec } from './rules/runtime.js';

export function alertSpecs(): AlertSpec[] {
  return [
    ...burnRateSpecs(),
    errorLogSpikeSpec(),
    ...serviceDownSpecs(),
    podRestartsSpec(),
    eventLoopLagSpec(),
    memorySaturationSpec(),
    apmLatencySpec(),
  ];
}

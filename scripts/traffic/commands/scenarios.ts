/** `traffic scenarios`: lists the scenarios with their phases and the alerts each expects. */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { SCENARIOS, SCENARIO_NAMES, type Scenario } from '../scenarios.js';

interface ScenariosArgs {
  readonly json?: boolean;
}

export const command = 'scenarios';
export const describe = 'List the scenarios and the alerts each is expected to fire or keep quiet';

export function builder(yargs: Argv): Argv<ScenariosArgs> {
  return yargs.option('json', { describe: 'Print them as JSON', type: 'boolean' });
}

export function formatScenarios(scenarios: readonly Scenario[]): string {
  return scenarios
    .map((s) =>
      [
        `${s.name}`,
        `  ${s.description}`,
        `  expect fire:  ${s.expectFire.join(', ') || '(none)'}`,
        `  expect quiet: ${s.expectQuiet.join(', ') || '(none)'}`,
        `  why: ${s.why}`,
        `  recommended duration: ${s.recommendedDurationSeconds} s`,
      ].join('\n'),
    )
    .join('\n\n');
}

export function listScenarios(json: boolean, out: { write(chunk: string): unknown }): void {
  const scenarios = SCENARIO_NAMES.map((name) => SCENARIOS[name]);
  out.write(json ? `${JSON.stringify(scenarios, null, 2)}\n` : `${formatScenarios(scenarios)}\n`);
}

export function handler(argv: ArgumentsCamelCase<ScenariosArgs>): void {
  listScenarios(argv.json === true, process.stdout);
}

export const listScenariosCommand: CommandModule<object, ScenariosArgs> = { command, describe, builder, handler };

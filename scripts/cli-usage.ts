/**
 * How the project's command-line tools answer a usage mistake (an unknown option, a bad value, a
 * missing argument): one line naming the problem and the tool, then exit with the tool's usage code.
 * yargs' own messages span lines ("Invalid values:\n  Argument: …"); they are folded into one.
 */
import type { Argv } from 'yargs';

/**
 * yargs' message with each unknown option named once, as typed: it lists both spellings of a
 * dashed option ("Unknown arguments: bogus-flag, bogusFlag").
 */
export function usageMessage(message: string): string {
  const missing = /^Not enough arguments following: (.+)$/.exec(message);
  if (missing !== null) return `${missing[1]!.length === 1 ? '-' : '--'}${missing[1]} needs a value`;
  const match = /^Unknown arguments?: (.*)$/s.exec(message);
  if (match === null) return message;
  const names = match[1]!.split(', ');
  const dashed = new Set(names.filter((n) => n.includes('-')).map((n) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())));
  const kept = names.filter((n) => !dashed.has(n));
  return `Unknown ${kept.length === 1 ? 'argument' : 'arguments'}: ${kept.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ')}`;
}

export function usageLine(tool: string, message: string): string {
  return `${tool}: ${usageMessage(message.trim()).replace(/\s*\n\s*/g, ' ')} (--help lists the options)\n`;
}

/** A yargs `.fail()` handler: errors thrown by a command go on; usage mistakes print one line and exit. */
export function failWithUsageLine(tool: string, exitCode: number): Parameters<Argv['fail']>[0] {
  return (message: string, error: Error) => {
    if (error) throw error;
    process.stderr.write(usageLine(tool, message));
    process.exit(exitCode);
  };
}

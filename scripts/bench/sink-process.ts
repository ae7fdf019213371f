/**
 * The sink as a child process of the bench: reports `{ type: 'ready', port }` over IPC and answers
 * `{ type: 'stats' }` with the counters. Exits when the bench disconnects or terminates it.
 */
import { startSink, type SinkMessage } from './sink.js';

if (process.send === undefined) {
  console.error('sink-process.ts is started by the bench over IPC (child_process.fork)');
  process.exit(2);
}

const sink = await startSink();
const send = (m: SinkMessage): void => {
  process.send?.(m);
};
process.on('message', (m: { type?: string }) => {
  if (m.type === 'stats') send({ type: 'stats', stats: sink.stats() });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
send({ type: 'ready', port: sink.port });

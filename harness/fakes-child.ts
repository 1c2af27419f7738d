/**
 * The child side of `startFakesProcess` (harness/fakes.ts): both fakes in a process of their own,
 * so that a load run's or a benchmark's driver never delays the providers' answers (and the
 * providers' CPU is not counted as the driver's). Driven over IPC: `register` messages in, acks
 * out; SIGTERM stops it.
 */
import { type FakesOptions, startFakes } from './fakes.js';

export interface FakesChildReady {
  exboURL: string;
  soa2URL: string;
  accounts: Awaited<ReturnType<typeof startFakes>>['accounts'];
}

const send = (message: unknown) => (process.send as (message: unknown) => boolean)(message);

const fakes = await startFakes(JSON.parse(process.argv[2] ?? '{}') as FakesOptions);
// The fakes record every request for tests to inspect; here that would only grow the heap.
setInterval(() => {
  fakes.exbo.requests.length = 0;
  fakes.soa2.requests.length = 0;
}, 1000).unref();
process.on('message', (message: { register: string }) => {
  fakes.register(message.register);
  send({ registered: message.register });
});
process.on('SIGTERM', () => {
  fakes.close().finally(() => process.exit(0));
});
send({
  ready: { exboURL: fakes.exbo.url, soa2URL: fakes.soa2.url, accounts: fakes.accounts },
} satisfies { ready: FakesChildReady });

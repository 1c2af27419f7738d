/**
 * A V8 CPU profile of the measured phase only (`--profile`), through the inspector protocol inside
 * the app process: `node --cpu-prof` would also record start-up and the unmeasured setup phase.
 */
import { Session } from 'node:inspector';

export class CpuProfiler {
  private session: Session | undefined;

  private post(method: string, params?: object): Promise<unknown> {
    const session = this.session;
    if (!session) return Promise.reject(new Error('the profiler is not started'));
    return new Promise((resolve, reject) => {
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result)));
    });
  }

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.post('Profiler.enable');
    // 100 µs between samples: fine enough for a login of about 2 ms.
    await this.post('Profiler.setSamplingInterval', { interval: 100 });
    await this.post('Profiler.start');
  }

  async stop(): Promise<unknown> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    this.session?.disconnect();
    this.session = undefined;
    return profile;
  }
}

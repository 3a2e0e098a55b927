import { setTimeout as sleep } from 'node:timers/promises';
import { platform } from 'node:os';
import type { Dispatcher, Handler } from '../ipc/dispatcher';
import { throwIfCancelled } from '../ipc/dispatcher';
import { runDoctor } from '../services/app/doctor';
import type { AppEnvironment } from '../area';
import { APP_NAME, APP_VERSION } from '../version';

export function appHandlers(env: AppEnvironment, dispatcher: () => Dispatcher) {
  const info: Handler<'app.info'> = () => ({ name: APP_NAME, version: APP_VERSION, runtime: env.runtime, dataDir: env.dataDir, platform: platform() });
  const doctor: Handler<'app.doctor'> = () => runDoctor({ dataDir: env.dataDir, ...(env.projectRoot ? { projectRoot: env.projectRoot } : {}) });
  const cancel: Handler<'jobs.cancel'> = ({ jobId }) => ({ cancelled: dispatcher().cancel(jobId) });
  const selfTest: Handler<'app.selfTest'> = async ({ steps, stepMs }, ctx) => {
    for (let i = 0; i < steps; i++) {
      throwIfCancelled(ctx.signal);
      ctx.progress(`Step ${i + 1} of ${steps}`, i / steps);
      await sleep(stepMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
    throwIfCancelled(ctx.signal);
    ctx.progress('Done', 1);
    return { completedSteps: steps };
  };
  return { 'app.info': info, 'app.doctor': doctor, 'jobs.cancel': cancel, 'app.selfTest': selfTest } as const;
}

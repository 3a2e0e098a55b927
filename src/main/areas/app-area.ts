import { setTimeout as sleep } from 'node:timers/promises';
import { platform } from 'node:os';
import type { Area, AreaDeps, AreaHandlers } from '../area';
import { throwIfCancelled, type Dispatcher } from '../ipc/dispatcher';
import { runDoctor } from '../services/app/doctor';
import { APP_NAME, APP_VERSION } from '../version';

/**
 * Wires the app itself: what runs where, the doctor, job cancellation and the self-test job. It needs the
 * dispatcher (jobs.cancel) that is built from its handlers, so it receives it lazily.
 */
export function createAppArea(deps: AreaDeps, dispatcher: () => Dispatcher): Area<AreaHandlers<'app' | 'jobs'>> {
  const { env } = deps;
  const handlers: AreaHandlers<'app' | 'jobs'> = {
    'app.info': () => ({ name: APP_NAME, version: APP_VERSION, runtime: env.runtime, dataDir: env.dataDir, platform: platform() }),
    'app.doctor': () => runDoctor({ dataDir: env.dataDir, ...(env.projectRoot ? { projectRoot: env.projectRoot } : {}), ...(env.toolEnv ? { env: env.toolEnv } : {}) }),
    'jobs.cancel': ({ jobId }) => ({ cancelled: dispatcher().cancel(jobId) }),
    'app.selfTest': async ({ steps, stepMs }, ctx) => {
      for (let i = 0; i < steps; i++) {
        throwIfCancelled(ctx.signal);
        ctx.progress(`Step ${i + 1} of ${steps}`, i / steps);
        await sleep(stepMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      }
      throwIfCancelled(ctx.signal);
      ctx.progress('Done', 1);
      return { completedSteps: steps };
    },
  };
  return { handlers, service: undefined };
}

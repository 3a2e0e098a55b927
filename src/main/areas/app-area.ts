import { setTimeout as sleep } from 'node:timers/promises';
import { platform } from 'node:os';
import type { Area, AreaDeps, AreaHandlers } from '../area';
import { throwIfCancelled, type Dispatcher } from '../ipc/dispatcher';
import { runDoctor } from '../services/app/doctor';
import { buildSupportBundle, libraryVersions } from '../services/app/support-bundle';
import { FieldbenchError } from '@shared/errors';
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
    'app.supportBundle': async ({ nodesNote }) => {
      // The nodes come through the same calls any client makes; a locked vault leaves them out, not the rest,
      // because the bundle is most wanted when something is wrong.
      let nodes: unknown;
      let note = nodesNote;
      if (note === undefined) {
        const listed = await dispatcher().dispatch('edge.listNodes', {});
        if (listed.ok) {
          const list = (listed.value as { nodes: Array<{ id: string }> }).nodes;
          const activity = [];
          for (const n of list) {
            const a = await dispatcher().dispatch('edge.activity', { nodeId: n.id, limit: 200 });
            activity.push({ nodeId: n.id, entries: a.ok ? (a.value as { entries: unknown[] }).entries : [] });
          }
          nodes = { nodes: list, activity };
        } else note = `the node profiles could not be read (${listed.error.message})`;
      }
      const doctor = await dispatcher().dispatch('app.doctor', {});
      if (!doctor.ok) throw new FieldbenchError(doctor.error.code, doctor.error.message);
      const bundle = buildSupportBundle({
        dataDir: env.dataDir,
        appVersion: APP_VERSION,
        doctor: doctor.value,
        ...(env.projectRoot ? { libraries: libraryVersions(env.projectRoot) } : {}),
        ...(nodes !== undefined ? { nodes } : {}),
        ...(note ? { nodesNote: note } : {}),
      });
      return { zipBase64: Buffer.from(bundle.zip).toString('base64'), entries: bundle.entries, ...(note ? { nodesNote: note } : {}) };
    },
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

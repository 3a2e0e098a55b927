import { z } from 'zod';
import { defineCall, defineEvent } from './define';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which transport the renderer is talking through; lets the UI say "running in a browser". */
  runtime: z.enum(['electron', 'loopback-host', 'cli']),
  dataDir: z.string(),
  platform: z.string(),
});

export const ToolCheck = z.object({
  id: z.string(),
  label: z.string(),
  usedFor: z.string(),
  found: z.boolean(),
  version: z.string().optional(),
  path: z.string().optional(),
  hint: z.string().optional(),
});

export const DoctorReport = z.object({
  tools: z.array(ToolCheck),
  dataDir: z.object({ path: z.string(), exists: z.boolean(), writable: z.boolean() }),
  electron: z.object({ found: z.boolean(), path: z.string().optional(), hint: z.string().optional() }),
});

export const JobProgress = z.object({
  jobId: z.string(),
  message: z.string(),
  /** 0..1 when known; absent for work whose length cannot be known in advance. */
  fraction: z.number().min(0).max(1).optional(),
});

export const appCalls = {
  /** Name, version, runtime and data folder of the running Fieldbench. */
  'app.info': defineCall({ request: z.object({}).strict(), response: AppInfo, summary: 'Show what is running and where its data lives.' }),
  /** Which external tools the features rely on are present on this machine. */
  'app.doctor': defineCall({ request: z.object({}).strict(), response: DoctorReport, summary: 'Check the external tools Fieldbench uses.' }),
  /**
   * The zip a support engineer gets: the log, doctor, versions and, with the vault open, the nodes and their
   * activity. Nothing in it is secret (every part is redacted), so any runtime may ask for it.
   */
  'app.supportBundle': defineCall({
    request: z.object({ nodesNote: z.string().max(500).optional() }).strict(),
    response: z.object({ zipBase64: z.string(), entries: z.array(z.string()), nodesNote: z.string().optional() }),
    summary: 'Make the support bundle (no secrets).',
  }),
  /** Cancels a running job started with a jobId. Unknown or finished jobs are ignored. */
  'jobs.cancel': defineCall({
    request: z.object({ jobId: z.string().min(1).max(100) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
    summary: 'Cancel long-running work.',
  }),
  /** Waits `ms` while reporting progress; used by the UI's progress component and the transport tests. */
  'app.selfTest': defineCall({
    request: z.object({ steps: z.number().int().min(1).max(100), stepMs: z.number().int().min(0).max(5000) }).strict(),
    response: z.object({ completedSteps: z.number().int() }),
    summary: 'Run a cancellable no-op job that reports progress.',
    job: true,
  }),
} as const;

export const appEvents = {
  'jobs.onProgress': defineEvent({ payload: JobProgress, summary: 'Progress of long-running work.' }),
  'app.onNotice': defineEvent({
    payload: z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
    summary: 'A message main wants the person to see (auto-lock, a dropped connection).',
  }),
} as const;

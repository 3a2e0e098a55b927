import { EXPORT_TARGETS, type ExportTargetT } from '@shared/contract/exports-contract';
import type { Area, AreaDeps } from '../area';
import type { Handler } from '../ipc/dispatcher';
import { ExportEngine } from '../services/exports/export-engine';
import { VaultExportLog } from '../services/exports/export-log';
import { OneTimeDownloads } from '../services/exports/one-time-downloads';
import { saveWithDialog } from '../services/exports/save-dialog';
import { FieldbenchError } from '@shared/errors';
import { EXPORT_DOWNLOAD_PATH } from '@shared/contract/exports-contract';
import type { ExportAio, ExportPki } from '../services/exports/export-model';

export type ExportsHandlers = {
  'exports.targets': Handler<'exports.targets'>;
  'exports.plan': Handler<'exports.plan'>;
  'exports.write': Handler<'exports.write'>;
  'exports.writeEach': Handler<'exports.writeEach'>;
  'exports.download': Handler<'exports.download'>;
  'exports.saveWithDialog': Handler<'exports.saveWithDialog'>;
  'exports.log': Handler<'exports.log'>;
};

export interface ExportsAreaServices {
  pki: ExportPki;
  /** The AIO area's builders (the same objects `aio apply` sends) for the kubernetes and litmus targets. */
  aio: ExportAio;
}

/** Wires the export engine: plans and writes in main, the log of keys that left in the vault. */
export function createExportsArea(deps: AreaDeps, services: ExportsAreaServices): Area<ExportsHandlers, ExportEngine> & { downloads: OneTimeDownloads } {
  const service = new ExportEngine({ pki: services.pki, aio: services.aio, log: new VaultExportLog(deps.vault) });
  const downloads = new OneTimeDownloads();
  const handlers: ExportsHandlers = {
    'exports.targets': () => ({ targets: (Object.keys(EXPORT_TARGETS) as ExportTargetT[]).map((id) => ({ id, summary: EXPORT_TARGETS[id] })) }),
    'exports.plan': (req) => service.plan(req),
    'exports.write': (req) => service.write(req),
    'exports.writeEach': (req, ctx) => service.writeEach(req, ctx.progress, ctx.signal),
    'exports.download': async (req) => {
      if (deps.env.runtime !== 'loopback-host') {
        throw new FieldbenchError('exports.downloadUnavailable', 'Downloads are how the browser version hands over an export. Here, write it to a new folder instead.');
      }
      const packed = await service.pack(req);
      const id = downloads.add({ fileName: packed.fileName, bytes: packed.bytes, secret: packed.secret });
      return { ...packed.result, url: `${EXPORT_DOWNLOAD_PATH}${id}`, fileName: packed.fileName };
    },
    'exports.saveWithDialog': (req) => {
      if (!deps.env.saveDialog) {
        throw new FieldbenchError('exports.dialogUnavailable', 'Only the desktop app has a save dialog. Here, write the export to a new folder (exports.write), or download it in the browser version.');
      }
      return saveWithDialog(service, deps.env.saveDialog, req);
    },
    'exports.log': (req) => ({ entries: service.log(req.limit) }),
  };
  return { handlers, service, downloads, dispose: () => downloads.clear() };
}

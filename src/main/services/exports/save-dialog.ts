import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ExportPlanT, ExportResultT, ExportSaveRequestT, ExportSaveResultT, ExportWriteRequestT } from '@shared/contract/exports-contract';
import { FieldbenchError } from '@shared/errors';

/**
 * Where the person says an export goes, on the desktop: the system's folder and save dialogs. Electron's
 * implementation lives in src/main/windows (services never import electron); tests inject their own.
 * Each returns the chosen absolute path, or null when the person cancelled.
 */
export interface SaveDialog {
  /** An existing folder; the export becomes a new folder inside it. */
  chooseFolder(options: { title: string; buttonLabel: string }): Promise<string | null>;
  /** A new file to create (the zip). */
  chooseFile(options: { title: string; buttonLabel: string; defaultName: string }): Promise<string | null>;
}

interface Writer {
  plan(req: ExportSaveRequestT): ExportPlanT;
  assertConfirmed(req: ExportSaveRequestT): void;
  write(req: ExportWriteRequestT): Promise<ExportResultT>;
}

/** A name inside `folder` nothing has yet: the export's own, then -2, -3… (the engine never reuses one). */
function freshName(folder: string, base: string): string {
  for (let i = 1; i < 1000; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!existsSync(join(folder, name))) return name;
  }
  throw new FieldbenchError('exports.exists', `${folder} already holds a thousand exports called ${base}. Choose another folder.`);
}

/**
 * The desktop's save: the dialog picks the place, main writes there through the same engine as
 * exports.write, and the window gets back only the name of what was written. Keys are checked before the
 * dialog opens (the engine's own rule), so an unconfirmed key never gets as far as asking where to put it.
 */
export async function saveWithDialog(engine: Writer, dialog: SaveDialog, req: ExportSaveRequestT, now: () => Date = () => new Date()): Promise<ExportSaveResultT> {
  engine.assertConfirmed(req);
  const plan = engine.plan(req);
  const base = `fieldbench-${req.target}-${now().toISOString().slice(0, 10)}`;
  let out: string;
  if (req.zip) {
    const file = await dialog.chooseFile({ title: `Save the ${plan.title} export as a zip`, buttonLabel: 'Save export', defaultName: `${base}.zip` });
    if (file === null) return { saved: false };
    out = file;
  } else {
    const folder = await dialog.chooseFolder({ title: `Choose where the ${plan.title} export goes (a new folder is made inside)`, buttonLabel: 'Export here' });
    if (folder === null) return { saved: false };
    out = join(folder, freshName(folder, base));
  }
  const { path, ...written } = await engine.write({ ...req, out });
  return { saved: true, displayName: basename(path), ...written };
}

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import type { SaveDialog } from '../../../src/main/services/exports/save-dialog';

// The desktop's save goes through Electron's dialog.showOpenDialog / showSaveDialog
// (src/main/windows/electron-save-dialog.ts). No Electron binary can run on this machine (ENVIRONMENT.md),
// so the dialog is injected here through the same SaveDialog interface main receives, and everything
// behind it — the dispatcher, the exports area, the engine, the files — is the real code.

/** A dialog that answers what the test says and remembers what it was asked. */
class ScriptedDialog implements SaveDialog {
  asked: string[] = [];
  constructor(public answer: string | null) {}
  chooseFolder(o: { title: string }): Promise<string | null> {
    this.asked.push(`folder: ${o.title}`);
    return Promise.resolve(this.answer);
  }
  chooseFile(o: { title: string; defaultName: string }): Promise<string | null> {
    this.asked.push(`file: ${o.defaultName}`);
    return Promise.resolve(this.answer);
  }
}

describe('exports.saveWithDialog: the desktop asks where in the system dialog, main writes, the window gets a name', () => {
  let dir: string;
  let app: AppContext;
  const dialog = new ScriptedDialog(null);
  let clientId: string;
  const call = async <N extends CallName>(name: N, req: CallRequest<N>): Promise<CallResponse<N>> => {
    const r = await app.dispatcher.dispatch(name, req);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as CallResponse<N>;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-save-dialog-'));
    app = composeApp({ dataDir: join(dir, 'data'), runtime: 'electron', saveDialog: dialog, vault: { createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
    await call('vault.create', { password: 'long enough pw' });
    const root = (await call('pki.createRoot', { subject: { commonName: 'Dialog Root CA' }, keyAlgorithm: 'ec-p256', validity: { hours: 1000 } })).certificate.id;
    clientId = (await call('pki.createClients', { clientIds: ['plc-line7-a'], issuerId: root, keyAlgorithm: 'ec-p256', validity: { hours: 100 }, clampToIssuer: true })).certificates[0]!.id;
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const req = (extra: Partial<CallRequest<'exports.saveWithDialog'>> = {}): CallRequest<'exports.saveWithDialog'> => ({ target: 'pem', certificateIds: [clientId], includeKey: true, confirmedKeys: [clientId], ...extra }) as CallRequest<'exports.saveWithDialog'>;

  it('cancel writes nothing and logs nothing, for a folder and for a zip', async () => {
    const place = join(dir, 'cancel');
    mkdirSync(place);
    dialog.answer = null;
    dialog.asked = [];
    expect(await call('exports.saveWithDialog', req())).toEqual({ saved: false });
    expect(await call('exports.saveWithDialog', req({ zip: true }))).toEqual({ saved: false });
    expect(dialog.asked).toHaveLength(2);
    expect(readdirSync(place)).toEqual([]);
    expect((await call('exports.log', { limit: 10 })).entries).toEqual([]);
  });

  it('a chosen folder gets a new export folder inside, keys 0600; the answer names it and holds no bytes or path', async () => {
    const place = join(dir, 'usb-stick');
    mkdirSync(place);
    dialog.answer = place;
    const r = await call('exports.saveWithDialog', req());
    expect(r.saved).toBe(true);
    if (!r.saved) return;
    const [folder] = readdirSync(place);
    expect(folder).toMatch(/^fieldbench-pem-\d{4}-\d{2}-\d{2}$/);
    expect(r.displayName).toBe(folder);
    const written = join(place, folder!);
    for (const f of r.files) {
      const mode = statSync(join(written, f.path)).mode & 0o777;
      expect(mode, f.path).toBe(f.role === 'key' ? 0o600 : 0o644);
    }
    expect(r.files.some((f) => f.role === 'key')).toBe(true);
    expect(r.keys.map((k) => k.commonName)).toEqual(['plc-line7-a']);
    // What crosses to the window: names and roles only.
    const wire = JSON.stringify(r);
    expect(wire).not.toMatch(/BEGIN|PRIVATE|MII/);
    expect(wire).not.toContain(place);
    expect(r).not.toHaveProperty('path');
    expect((await call('exports.log', { limit: 10 })).entries.at(-1)).toMatchObject({ path: written, keys: ['plc-line7-a'] });
    // The same place again: a second folder beside the first, never into it.
    const again = await call('exports.saveWithDialog', req());
    expect(again.saved && again.displayName).toBe(`${folder}-2`);
  });

  it('a zip goes to the new file the dialog names, and an existing file there is refused, not overwritten', async () => {
    const zip = join(dir, 'line7.zip');
    dialog.answer = zip;
    const r = await call('exports.saveWithDialog', req({ zip: true }));
    expect(r.saved && r.displayName).toBe('line7.zip');
    expect(statSync(zip).mode & 0o777).toBe(0o600);
    const taken = join(dir, 'taken.zip');
    writeFileSync(taken, 'mine');
    dialog.answer = taken;
    await expect(call('exports.saveWithDialog', req({ zip: true }))).rejects.toThrow(/already there/);
    expect(statSync(taken).size).toBe(4);
  });

  it('an unconfirmed key is refused before the dialog opens; without a dialog (CLI, browser) the call says what to use', async () => {
    dialog.asked = [];
    dialog.answer = join(dir, 'never');
    await expect(call('exports.saveWithDialog', req({ confirmedKeys: [] }))).rejects.toMatchObject({ code: 'exports.keysNotConfirmed' });
    expect(dialog.asked).toEqual([]);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    const cli = composeApp({ dataDir: join(dir, 'cli-data'), runtime: 'cli' });
    try {
      const r = await cli.dispatcher.dispatch('exports.saveWithDialog', req());
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'exports.dialogUnavailable' });
    } finally {
      await cli.dispose();
    }
    expect(basename(dir)).toMatch(/^fb-save-dialog-/);
  });
});

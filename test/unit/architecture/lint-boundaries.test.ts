import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Lints snippets as if they lived at the given paths, so the boundary rules of eslint.config.js are proven to fire.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('layer boundaries', () => {
  it('refuses electron in a service', async () => {
    const msgs = await restrictedImportMessages("import { app } from 'electron';\nexport const x = app;\n", 'src/main/services/vault/bad.ts');
    expect(msgs.join('\n')).toMatch(/never import electron/);
  });

  it('refuses Node built-ins and runtimes in src/shared', async () => {
    expect((await restrictedImportMessages("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'src/shared/bad.ts')).join()).toMatch(/no Node built-ins/);
    expect((await restrictedImportMessages("import { x } from '../main/compose';\nexport const y = x;\n", 'src/shared/bad.ts')).join()).toMatch(/must not import from the runtimes/);
  });

  it('refuses main and electron in the renderer', async () => {
    expect((await restrictedImportMessages("import { composeApp } from '../../main/compose';\nexport const c = composeApp;\n", 'src/renderer/src/bad.ts')).join()).toMatch(/never imports main/);
    expect((await restrictedImportMessages("import { shell } from 'electron';\nexport const s = shell;\n", 'src/renderer/src/bad.ts')).join()).toMatch(/never imports electron/);
  });

  it('keeps ipcMain and ipcRenderer inside the two helper files', async () => {
    const code = "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);\n";
    expect((await restrictedImportMessages(code, 'src/main/windows/bad.ts')).join()).toMatch(/ipcMain\/ipcRenderer belong only/);
    expect(await restrictedImportMessages(code, 'src/main/ipc/electron-ipc.ts')).toEqual([]);
  });

  it('accepts code that respects the arrows', async () => {
    expect(await restrictedImportMessages("import { z } from 'zod';\nexport const s = z.string();\n", 'src/shared/ok.ts')).toEqual([]);
    expect(await restrictedImportMessages("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'src/main/services/vault/ok.ts')).toEqual([]);
    expect(await restrictedImportMessages("import { invoke } from '../bridge';\nexport const i = invoke;\n", 'src/renderer/src/features/ok.ts')).toEqual([]);
  });
});

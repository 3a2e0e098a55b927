import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IFlattenedRuleSet } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The rules of .dependency-cruiser.cjs, run over planted trees so each is proven to fire (and to stay quiet
// on the import it allows). `npm test` runs the same config over src/.
const config = createRequire(import.meta.url)('../../../.dependency-cruiser.cjs') as { forbidden: IFlattenedRuleSet['forbidden'] };

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fb-depcruise-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let treeCount = 0;
/** Writes the files into a fresh tree and returns the violated rule per importing file. */
async function violations(files: Record<string, string>): Promise<Array<{ rule: string; from: string; to: string; cycle?: string[] }>> {
  const base = join(root, `tree-${++treeCount}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), text);
  }
  const { output } = await cruise(['src'], {
    baseDir: base,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  return (output as ICruiseResult).summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to, ...(v.cycle ? { cycle: v.cycle.map((c) => c.name) } : {}) }));
}

describe('dependency rules', () => {
  it('refuses an import cycle, including one made only of type imports', async () => {
    const found = await violations({
      'src/main/services/alpha/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'src/main/services/alpha/b.ts': "import type { A } from './c';\nexport const b = 1;\nexport type B = A;\n",
      'src/main/services/alpha/c.ts': "import type { a } from './a';\nexport type A = typeof a;\n",
    });
    const cycles = found.filter((v) => v.rule === 'no-cycles');
    expect(cycles).toHaveLength(1);
    expect([cycles[0]?.from, ...(cycles[0]?.cycle ?? [])].sort()).toEqual(['src/main/services/alpha/a.ts', 'src/main/services/alpha/a.ts', 'src/main/services/alpha/b.ts', 'src/main/services/alpha/c.ts']);
  });

  it("refuses another area's service internals but allows its index.ts", async () => {
    const found = await violations({
      'src/main/services/alpha/index.ts': "export type { Thing } from './thing';\n",
      'src/main/services/alpha/thing.ts': 'export interface Thing { id: string }\n',
      'src/main/services/beta/reaches-in.ts': "import type { Thing } from '../alpha/thing';\nexport type T = Thing;\n",
      'src/main/services/beta/uses-index.ts': "import type { Thing } from '../alpha';\nexport type T = Thing;\n",
      'src/main/services/beta/own.ts': "import type { T } from './uses-index';\nexport type U = T;\n",
    });
    expect(found).toEqual([{ rule: 'services-use-other-areas-through-index', from: 'src/main/services/beta/reaches-in.ts', to: 'src/main/services/alpha/thing.ts' }]);
  });

  it('keeps services below areas, the IPC layer, the host, windows and workflows', async () => {
    const found = await violations({
      'src/main/areas/alpha-area.ts': 'export const area = 1;\n',
      'src/main/workflows/flow.ts': 'export const flow = 1;\n',
      'src/main/ipc/event-hub.ts': 'export const hub = 1;\n',
      'src/main/services/alpha/s.ts': "import { area } from '../../areas/alpha-area';\nimport { flow } from '../../workflows/flow';\nimport { hub } from '../../ipc/event-hub';\nexport const s = area + flow + hub;\n",
      'src/main/areas/ok-area.ts': "import { s } from '../services/alpha/s';\nexport const ok = s;\n",
    });
    expect(found.filter((v) => v.rule === 'services-stay-below-wiring').map((v) => v.to).sort()).toEqual(['src/main/areas/alpha-area.ts', 'src/main/ipc/event-hub.ts', 'src/main/workflows/flow.ts']);
    expect(found.filter((v) => v.from === 'src/main/areas/ok-area.ts')).toEqual([]);
  });

  it('keeps renderer features apart and below the shell; core imports neither', async () => {
    const found = await violations({
      'src/renderer/src/core/use-jobs-store.ts': 'export const jobs = 1;\n',
      'src/renderer/src/core/bad.ts': "import { page } from '../features/alpha/page';\nexport const bad = page;\n",
      'src/renderer/src/app/App.tsx': "import { page } from '../features/alpha/page';\nexport const App = page;\n",
      'src/renderer/src/features/alpha/page.tsx': "import { jobs } from '../../core/use-jobs-store';\nexport const page = jobs;\n",
      'src/renderer/src/features/beta/page.tsx': "import { page } from '../alpha/page';\nimport { App } from '../../app/App';\nexport const other = [page, App];\n",
    });
    expect(found.map((v) => `${v.rule}: ${v.from} -> ${v.to}`).sort()).toEqual([
      'renderer-core-below-features: src/renderer/src/core/bad.ts -> src/renderer/src/features/alpha/page.tsx',
      'renderer-features-below-app: src/renderer/src/features/beta/page.tsx -> src/renderer/src/app/App.tsx',
      'renderer-features-stay-apart: src/renderer/src/features/beta/page.tsx -> src/renderer/src/features/alpha/page.tsx',
    ]);
  });

  it('refuses electron anywhere the CLI runs, even through another module', async () => {
    const found = await violations({
      'src/main/windows/main-window.ts': "import { BrowserWindow } from 'electron';\nexport const w = BrowserWindow;\n",
      'src/main/areas/alpha-area.ts': "import { w } from '../windows/main-window';\nexport const a = w;\n",
      'src/main/index.ts': "import { app } from 'electron';\nimport { a } from './areas/alpha-area';\nexport const m = [app, a];\n",
    });
    const electron = found.filter((v) => v.rule === 'cli-code-never-reaches-electron');
    expect(electron.map((v) => v.from)).toEqual(['src/main/areas/alpha-area.ts']);
  });
});

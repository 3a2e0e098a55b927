import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

// electron-builder's own schema check and file matcher, so the test judges the config as `npm run dist` will.
const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration: (c: unknown, l: unknown) => Promise<void> };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { FileMatcher } = require('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => { createFilter(): (file: string, stat: Stats) => boolean };
};

const ROOT = join(import.meta.dirname, '..', '..', '..');
const config = () => parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & { files: string[] };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

describe('electron-builder.yml (npm run dist)', () => {
  it('is accepted by the installed electron-builder’s schema, which does reject a wrong key', async () => {
    await expect(validateConfiguration(config(), new DebugLogger(false))).resolves.toBeUndefined();
    const broken = config();
    (broken.electronFuses as Record<string, unknown>).runAsNodee = false;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('builds AppImage and deb on Linux, nsis on Windows, dmg on macOS, under one app id', () => {
    const c = config();
    expect(c.appId).toBe('com.fieldbench.app');
    expect(c.productName).toBe('Fieldbench');
    expect((c.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((c.win as { target: string[] }).target).toEqual(['nsis']);
    expect((c.mac as { target: string[] }).target).toEqual(['dmg']);
    expect(c.asar).toBe(true);
  });

  it('flips every security fuse', () => {
    expect(config().electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs everything the main process loads from the build, and no source, test or dev-only path', () => {
    expect(existsSync(join(ROOT, 'out', 'main', 'index.js')), 'run `npx electron-vite build` first').toBe(true);
    const filter = new FileMatcher(ROOT, '/', (s) => s, config().files).createFilter();
    const packed = (rel: string) => filter(join(ROOT, rel), statSync(join(ROOT, rel)));
    expect(pkg.main).toBe('out/main/index.js');
    const runtime = ['out/main', 'out/preload', 'out/renderer'].flatMap((d) => walk(join(ROOT, d))).map((f) => relative(ROOT, f)).filter((f) => !f.endsWith('.map'));
    expect(runtime).toContain('out/preload/index.cjs');
    expect(runtime).toContain('out/renderer/index.html');
    expect(runtime.filter((f) => !packed(f))).toEqual([]);
    expect(packed('package.json')).toBe(true);
    for (const devOnly of ['src/main/index.ts', 'scripts/start.mjs', 'test/unit/packaging/electron-builder.test.ts', 'electron.vite.config.ts', 'bench']) {
      expect({ devOnly, packed: packed(devOnly) }).toEqual({ devOnly, packed: false });
    }
  });

  it('every package the built main and preload import is a runtime dependency (devDependencies are not packed)', () => {
    const built = ['out/main', 'out/preload'].flatMap((d) => walk(join(ROOT, d))).filter((f) => /\.(c|m)?js$/.test(f));
    const imported = new Set<string>();
    for (const file of built) {
      // Only what can be a package name (npm's rules: lower case, no spaces or commas): bundled code generators
      // (protobufjs) hold strings such as `from ",\n\t"` that are not imports.
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[^"'\s]*)?)["']/g)) {
        const spec = m[1]!;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        imported.add(name);
      }
    }
    const builtins = new Set(builtinModules.flatMap((b) => [b, `node:${b}`]));
    const external = [...imported].filter((n) => !builtins.has(n) && !n.startsWith('node:'));
    expect(external).toContain('electron');
    expect(external.filter((n) => n !== 'electron' && !(n in pkg.dependencies))).toEqual([]);
  });
});

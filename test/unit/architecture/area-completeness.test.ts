import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callNames } from '@shared/contract';
import { AREAS } from '../../../src/renderer/src/core/areas';

// One way to be an area: every contract prefix has one handler map in src/main/areas, a CLI command that
// calls it and a renderer page that calls it. A new prefix without any of the three fails here.

const root = process.cwd();
const read = (dir: string): Array<{ file: string; text: string }> =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => {
      const file = join(e.parentPath, e.name);
      return { file: file.slice(root.length + 1), text: readFileSync(file, 'utf8') };
    });

const prefixes = [...new Set(callNames.map((n) => n.split('.')[0]!))];
/** The shell's own calls: app info and the doctor (the status bar and the doctor dialog), job cancellation. */
const SHELL = new Set(['app', 'jobs']);
/**
 * Prefixes whose page is still the planned-area placeholder: the exports area's calls and CLI landed before
 * its page. Each entry must still be missing (the last test fails once the page calls it: drop the entry).
 */
const PAGE_PENDING = new Set(['exports']);
const areaFiles = read('src/main/areas');
const cliFiles = read('src/cli');
const pageFolders = new Map(AREAS.map((a) => [a.id, read(`src/renderer/src/features/${a.id}`)]));
const mentions = (text: string, prefix: string) => callNames.some((n) => n.startsWith(`${prefix}.`) && text.includes(`'${n}'`));

describe('every contract prefix is an area end to end', () => {
  it('finds the prefixes', () => {
    expect(prefixes).toEqual(expect.arrayContaining(['app', 'vault', 'pki', 'edge', 'aio', 'network', 'mqtt']));
  });

  it.each(prefixes)('%s: all its calls are keys of one handler map in src/main/areas', (prefix) => {
    const names = callNames.filter((n) => n.startsWith(`${prefix}.`));
    const owners = areaFiles.filter((f) => names.some((n) => f.text.includes(`'${n}':`)));
    expect(owners.map((o) => o.file)).toHaveLength(1);
    const missing = names.filter((n) => !owners[0]!.text.includes(`'${n}':`));
    expect(missing).toEqual([]);
  });

  it.each(prefixes.filter((p) => !SHELL.has(p)))('%s: a CLI command calls it', (prefix) => {
    expect(cliFiles.filter((f) => f.file.startsWith('src/cli/commands/') && mentions(f.text, prefix)).map((f) => f.file)).not.toEqual([]);
  });

  const pagesCalling = (prefix: string) => [...pageFolders].filter(([, files]) => files.some((f) => mentions(f.text, prefix))).map(([id]) => id);

  it.each(prefixes.filter((p) => !SHELL.has(p) && !PAGE_PENDING.has(p)))('%s: a page in the navigation calls it', (prefix) => {
    expect(pagesCalling(prefix)).not.toEqual([]);
  });

  it('lists as pending only pages that really are still missing', () => {
    for (const prefix of PAGE_PENDING) expect(pagesCalling(prefix), prefix).toEqual([]);
  });

  it('the shell calls app.* and jobs.* from src/renderer/src/core', () => {
    const core = read('src/renderer/src/core');
    for (const prefix of SHELL) expect(core.some((f) => mentions(f.text, prefix)), prefix).toBe(true);
  });
});

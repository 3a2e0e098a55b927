/**
 * Child process for the crash-safety test: unlocks a vault, then saves in a tight loop until it is killed.
 * After each save it prints "saved N" (a pipe write is synchronous on Linux, so a printed N is on disk).
 * Usage: node --import tsx save-loop.ts <vault> <password> (the crash test runs a type-stripped copy with plain node)
 */
import { Vault } from '../../../src/main/services/vault/vault';
import { crashPayload, type CrashSection } from './crash-payload';

const [path, password] = process.argv.slice(2);
if (!path || password === undefined) throw new Error('usage: save-loop.ts <vault> <password>');
const vault = await Vault.open(path);
await vault.unlock(password);
process.stdout.write('ready\n');
for (;;) {
  const n = await vault.updateSection<CrashSection, number>('counter', { n: 0, payload: '' }, (d) => {
    d.n += 1;
    d.payload = crashPayload(d.n);
    return d.n;
  });
  process.stdout.write(`saved ${n}\n`);
}

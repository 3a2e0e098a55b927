import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSshKey, importSshKey } from '../../../src/main/services/edge/ssh-keys';
import { shellQuote } from '../../../src/shared/shell-quote';

const hasKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status !== undefined && (err as { code?: string }).code !== 'ENOENT';
  }
})();
if (!hasKeygen) console.warn('[ssh keys] ssh-keygen comparisons skipped: ssh-keygen is missing (apt-get install openssh-client)');

const dir = mkdtempSync(join(tmpdir(), 'fb-sshkeys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keygenFingerprint(publicLine: string): string {
  const f = join(dir, `k${Math.random().toString(16).slice(2)}.pub`);
  writeFileSync(f, `${publicLine}\n`);
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', f], { encoding: 'utf8' }).split(' ')[1]!;
}

describe('SSH keys', () => {
  it('generates Ed25519 keys in OpenSSH format whose public line and fingerprint ssh-keygen agrees with', () => {
    const key = generateSshKey('tech@site');
    expect(key.type).toBe('ssh-ed25519');
    expect(key.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+=* tech@site$/);
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(generateSshKey().fingerprint).not.toBe(key.fingerprint);
    if (hasKeygen) {
      expect(keygenFingerprint(key.publicKey)).toBe(key.fingerprint);
      const f = join(dir, 'gen');
      writeFileSync(f, key.privateKey, { mode: 0o600 });
      expect(execFileSync('ssh-keygen', ['-y', '-f', f], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ')).toBe(key.publicKey.split(' ').slice(0, 2).join(' '));
    }
  });

  it.skipIf(!hasKeygen)('imports OpenSSH and PEM keys of each type, with and without a passphrase', () => {
    for (const [type, args, expected] of [
      ['ed25519', ['-t', 'ed25519'], 'ssh-ed25519'],
      ['ecdsa', ['-t', 'ecdsa', '-b', '256'], 'ecdsa-sha2-nistp256'],
      ['rsa-pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], 'ssh-rsa'],
    ] as const) {
      const f = join(dir, `id_${type}`);
      // Few KDF rounds: the passphrase handling is under test, not bcrypt's cost.
      execFileSync('ssh-keygen', ['-q', ...args, '-a', '2', '-N', 'pass phrase 1', '-C', `c-${type}`, '-f', f]);
      const text = readFileSync(f, 'utf8');
      expect(() => importSshKey(text)).toThrow(expect.objectContaining({ code: 'edge.keyPassphraseNeeded' }));
      expect(() => importSshKey(text, 'wrong')).toThrow(expect.objectContaining({ code: 'edge.keyPassphraseWrong' }));
      const key = importSshKey(text, 'pass phrase 1');
      expect(key.type).toBe(expected);
      expect(key.fingerprint).toBe(keygenFingerprint(readFileSync(`${f}.pub`, 'utf8').trim()));
      expect(key.passphrase).toBe('pass phrase 1');
    }
  });

  it('refuses a public key, a PuTTY key and garbage with sentences that say what to use', () => {
    const pub = generateSshKey().publicKey;
    expect(() => importSshKey(pub)).toThrow(expect.objectContaining({ code: expect.stringMatching(/edge\.key(NotPrivate|Invalid)/) }));
    expect(() => importSshKey('PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n')).toThrow(/Export it from PuTTYgen as "OpenSSH key"/);
    expect(() => importSshKey('hello')).toThrow(expect.objectContaining({ code: 'edge.keyInvalid' }));
  });

  it('quotes shell words so paths with spaces and quotes stay one argument', () => {
    expect(shellQuote('/etc/rancher/k3s/k3s.yaml')).toBe('/etc/rancher/k3s/k3s.yaml');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    const echoed = execFileSync('sh', ['-c', `printf '%s|' ${shellQuote("a b'c")} ${shellQuote('$HOME')}`], { encoding: 'utf8' });
    expect(echoed).toBe("a b'c|$HOME|");
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInspection } from '../../../src/cli/commands/pki-commands';
import { inspectCertificate } from '../../../src/main/services/pki/certificate-inspector';
import { ParsedCertificate, pemBody } from '../../../src/main/services/pki/parsed-certificate';
import { hasOpenssl, makeTempDir, openssl, sh } from '../../support/pki/openssl-runner';

/** Every line openssl prints, trimmed: the test asks that `pki inspect` prints each of them. */
const lines = (text: string): Set<string> => new Set(text.split('\n').map((l) => l.trim()).filter(Boolean));

describe.skipIf(!hasOpenssl)('pki inspect prints every line of openssl x509 -text -noout', () => {
  const tmp = makeTempDir('fb-inspect-openssl-');
  beforeAll(async () => {
    const ext = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:192.168.2.196,DNS:mqtts-endpoint\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
    const caExt = 'basicConstraints=critical,CA:TRUE,pathlen:1\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
    const made = await sh(
      [
        `printf '${ext.replace(/\n/g, '\\n')}' > leaf.ext`,
        `printf '${caExt.replace(/\n/g, '\\n')}' > ca.ext`,
        // An RSA CA and leaf (the exponent line of issue 14), an EC P-256 CA and a P-384 leaf.
        'openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa-ca.key -subj "/CN=RSA Root CA/O=Plant 4" -days 300 -addext "basicConstraints=critical,CA:TRUE,pathlen:1" -addext "keyUsage=critical,keyCertSign,cRLSign" -out rsa-ca.crt 2>/dev/null',
        'openssl req -new -newkey rsa:3072 -nodes -keyout rsa-leaf.key -subj "/CN=mqtts-endpoint" -out rsa-leaf.csr 2>/dev/null',
        'openssl x509 -req -in rsa-leaf.csr -CA rsa-ca.crt -CAkey rsa-ca.key -CAcreateserial -days 30 -extfile leaf.ext -out rsa-leaf.crt 2>/dev/null',
        'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec-ca.key -subj "/CN=EC Root CA" -days 300 -out ec-ca.crt 2>/dev/null',
        'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout ec-leaf.key -subj "/CN=client42a" -out ec-leaf.csr 2>/dev/null',
        'openssl x509 -req -in ec-leaf.csr -CA ec-ca.crt -CAkey ec-ca.key -CAcreateserial -days 30 -extfile leaf.ext -out ec-leaf.crt 2>/dev/null',
        'openssl req -x509 -newkey ed25519 -nodes -keyout ed-ca.key -subj "/CN=Ed Root" -days 30 -out ed-ca.crt 2>/dev/null',
      ].join('\n'),
      tmp.dir,
    );
    expect(made.code, made.stderr).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it.each(['rsa-ca', 'rsa-leaf', 'ec-ca', 'ec-leaf', 'ed-ca'])('%s', async (name) => {
    const text = await openssl(['x509', '-in', `${name}.crt`, '-text', '-noout'], tmp.dir);
    expect(text.code).toBe(0);
    expect(lines(text.stdout).size).toBeGreaterThan(20);
    const ours = formatInspection(inspectCertificate(new ParsedCertificate(pemBody(readFileSync(join(tmp.dir, `${name}.crt`), 'utf8')))));
    const missing = [...lines(text.stdout)].filter((l) => !lines(ours).has(l));
    expect(missing).toEqual([]);
    if (name.startsWith('rsa')) expect(ours).toMatch(/^ {16}Exponent: 65537 \(0x10001\)$/m);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sh } from './openssl-runner';

/**
 * Seed 001, "Certificate Generation Using OpenSSL": the exact commands of the seed (RSA CAs, RSA leaves,
 * `openssl x509 -req` signing), with key sizes as parameters so fast runs can use 2048-bit CAs. Note that
 * these commands make X.509 v1 intermediates (no -extfile), which `openssl verify` itself rejects.
 */
export async function runSeed001Openssl(dir: string, bits: { ca: number; leaf: number } = { ca: 4096, leaf: 2048 }): Promise<void> {
  writeFileSync(join(dir, 'san.cnf'), '[ req ]\ndistinguished_name=req\n[ v3_req ]\nsubjectAltName=IP:192.168.2.196\n');
  const script = `
openssl genrsa -out aio42_root_ca.key ${bits.ca} 2>/dev/null
openssl req -x509 -new -nodes -key aio42_root_ca.key -sha256 -days 3000 -subj "/CN=AIO42 Root CA" -out aio42_root_ca.crt
openssl genrsa -out aio42_intermediate_ca.key ${bits.ca} 2>/dev/null
openssl req -new -key aio42_intermediate_ca.key -subj "/CN=AIO42 Intermediate CA 1" -out aio42_intermediate_ca.csr
openssl x509 -req -in aio42_intermediate_ca.csr -CA aio42_root_ca.crt -CAkey aio42_root_ca.key -CAcreateserial -out aio42_intermediate_ca.crt -days 3000 -sha256 2>/dev/null
openssl genrsa -out mqtts-endpoint.key ${bits.leaf} 2>/dev/null
openssl req -new -key mqtts-endpoint.key -subj "/CN=mqtts-endpoint" -out mqtts-endpoint.csr
openssl x509 -req -in mqtts-endpoint.csr -CA aio42_intermediate_ca.crt -CAkey aio42_intermediate_ca.key -CAcreateserial -out mqtts-endpoint.crt -days 3000 -sha256 -extfile san.cnf -extensions v3_req 2>/dev/null
openssl genrsa -out clients42_root_ca.key ${bits.ca} 2>/dev/null
openssl req -x509 -new -nodes -key clients42_root_ca.key -sha256 -days 3000 -subj "/CN=Clients42 Root CA" -out clients42_root_ca.crt
openssl genrsa -out clients42_intermediate_ca.key ${bits.ca} 2>/dev/null
openssl req -new -key clients42_intermediate_ca.key -subj "/CN=Clients42 Intermediate CA 1" -out clients42_intermediate_ca.csr
openssl x509 -req -in clients42_intermediate_ca.csr -CA clients42_root_ca.crt -CAkey clients42_root_ca.key -CAcreateserial -out clients42_intermediate_ca.crt -days 3000 -sha256 2>/dev/null
for c in client42a client42b; do
  openssl genrsa -out $c.key ${bits.leaf} 2>/dev/null
  openssl req -new -key $c.key -subj "/CN=$c" -out $c.csr
  openssl x509 -req -in $c.csr -CA clients42_intermediate_ca.crt -CAkey clients42_intermediate_ca.key -CAcreateserial -out $c.crt -days 3000 -sha256 2>/dev/null
done
`;
  const r = await sh(script, dir);
  if (r.code !== 0) throw new Error(`seed 001 openssl script failed: ${r.stderr}`);
}

export const SEED_001_FILES = [
  'aio42_root_ca.crt',
  'aio42_root_ca.key',
  'aio42_intermediate_ca.crt',
  'aio42_intermediate_ca.key',
  'mqtts-endpoint.crt',
  'mqtts-endpoint.key',
  'clients42_root_ca.crt',
  'clients42_root_ca.key',
  'clients42_intermediate_ca.crt',
  'clients42_intermediate_ca.key',
  'client42a.crt',
  'client42a.key',
  'client42b.crt',
  'client42b.key',
] as const;

const STEP_EXTENSIONS = `
[ root_ca ]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ intermediate_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf ]
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \${ENV::SAN}
`;

export interface StepCreate {
  name: string;
  crt: string;
  key: string;
  profile: 'root-ca' | 'intermediate-ca' | 'leaf';
  ca?: { crt: string; key: string };
  san?: string[];
  notAfterHours?: number;
  bundle?: boolean;
}

/**
 * Emulates `step certificate create … --no-password --insecure` with openssl (step is not installed here):
 * EC P-256 keys written as SEC1 "EC PRIVATE KEY" PEM, step's profiles, 128-bit random serials, and
 * `--bundle` appending only the issuing certificate to the leaf file.
 */
export async function stepCertificateCreate(dir: string, c: StepCreate): Promise<void> {
  writeFileSync(join(dir, 'step-ext.cnf'), STEP_EXTENSIONS);
  const days = c.notAfterHours ? Math.max(1, Math.round(c.notAfterHours / 24)) : c.profile === 'leaf' ? 1 : 3650;
  const section = c.profile === 'root-ca' ? 'root_ca' : c.profile === 'intermediate-ca' ? 'intermediate_ca' : 'leaf';
  const sans = (c.san && c.san.length > 0 ? c.san : [c.name]).map((s) => (/^[\d.]+$|:/.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',');
  const serialBytes = randomBytes(16);
  serialBytes[0] = (serialBytes[0]! & 0x7f) | 0x01;
  const serial = '0x' + serialBytes.toString('hex');
  const sign = c.ca
    ? `openssl x509 -req -in tmp.csr -CA '${c.ca.crt}' -CAkey '${c.ca.key}' -set_serial ${serial} -days ${days} -sha256 -extfile step-ext.cnf -extensions ${section} -out '${c.crt}' 2>/dev/null`
    : `openssl x509 -req -in tmp.csr -signkey '${c.key}' -set_serial ${serial} -days ${days} -sha256 -extfile step-ext.cnf -extensions ${section} -out '${c.crt}' 2>/dev/null`;
  const script = `
export SAN='${sans}'
openssl ecparam -name prime256v1 -genkey -noout -out '${c.key}'
openssl req -new -key '${c.key}' -subj '/CN=${c.name}' -out tmp.csr
${sign}
${c.bundle && c.ca ? `cat '${c.ca.crt}' >> '${c.crt}'` : ''}
rm -f tmp.csr
`;
  const r = await sh(script, dir);
  if (r.code !== 0) throw new Error(`step emulation failed for ${c.name}: ${r.stderr}`);
}

/** Seed 000: the Litmus Edge client chain made with step (root, intermediate, 2400h bundled leaf). */
export async function runSeed000Litmus(dir: string): Promise<void> {
  await stepCertificateCreate(dir, { name: 'Litmus Edge Root CA', crt: 'litmusedge_root_ca.crt', key: 'litmusedge_root_ca.key', profile: 'root-ca' });
  await stepCertificateCreate(dir, {
    name: 'Litmus Edge Intermediate CA 1',
    crt: 'litmusedge_intermediate_ca.crt',
    key: 'litmusedge_intermediate_ca.key',
    profile: 'intermediate-ca',
    ca: { crt: 'litmusedge_root_ca.crt', key: 'litmusedge_root_ca.key' },
  });
  await stepCertificateCreate(dir, {
    name: 'aiomqttconnector',
    crt: 'aiomqttconnector.crt',
    key: 'aiomqttconnector.key',
    profile: 'leaf',
    ca: { crt: 'litmusedge_intermediate_ca.crt', key: 'litmusedge_intermediate_ca.key' },
    bundle: true,
    notAfterHours: 2400,
  });
}

/** Seed 001, step variant: AIO42 server chain (72000h) with IP SAN 192.168.2.196, leaf bundled. */
export async function runSeed001Step(dir: string): Promise<void> {
  await stepCertificateCreate(dir, { name: 'AIO42 Root CA', crt: 'aio42_root_ca.crt', key: 'aio42_root_ca.key', profile: 'root-ca', notAfterHours: 72000 });
  await stepCertificateCreate(dir, {
    name: 'AIO42 Intermediate CA 1',
    crt: 'aio42_intermediate_ca.crt',
    key: 'aio42_intermediate_ca.key',
    profile: 'intermediate-ca',
    ca: { crt: 'aio42_root_ca.crt', key: 'aio42_root_ca.key' },
    notAfterHours: 72000,
  });
  await stepCertificateCreate(dir, {
    name: 'mqtts-endpoint',
    crt: 'mqtts-endpoint.crt',
    key: 'mqtts-endpoint.key',
    profile: 'leaf',
    ca: { crt: 'aio42_intermediate_ca.crt', key: 'aio42_intermediate_ca.key' },
    bundle: true,
    san: ['192.168.2.196'],
    notAfterHours: 72000,
  });
}

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { runChecked } from '../edge-host/run-command.js';

/**
 * A throw-away PKI shaped like the field's: a server root and intermediate issuing the broker's
 * certificate (served as leaf + intermediate, like a kubernetes.io/tls secret), and a client root and
 * intermediate issuing a client certificate (sent as leaf + intermediate, which the AIO broker requires).
 * Made with the openssl CLI so the lab does not depend on the code it helps to test.
 */
export interface LabPki {
  dir: string;
  /** Root that clients trust for listeners B and C. */
  serverCaPem: string;
  serverCaFile: string;
  /** Server leaf followed by its intermediate. */
  serverChainPem: string;
  serverChainFile: string;
  serverKeyPem: string;
  serverKeyFile: string;
  /** Root that listener C trusts for client certificates. */
  clientCaPem: string;
  clientCaFile: string;
  clientIntermediatePem: string;
  /** Client leaf followed by its intermediate. */
  clientChainPem: string;
  clientChainFile: string;
  clientKeyPem: string;
  clientKeyFile: string;
  /** CN of the client leaf; the broker's username on listener C. */
  clientCn: string;
  /** A client certificate from an unrelated CA, for "client certificate refused" cases. */
  strangerChainFile: string;
  strangerKeyFile: string;
}

export interface LabPkiOptions {
  dir: string;
  /** SANs of the server certificate; IPs and DNS names are told apart automatically. Default 127.0.0.1, localhost. */
  serverNames?: readonly string[];
  clientCn?: string;
  /** Key algorithm for every certificate: EC P-256 (default) or RSA 2048. */
  keyType?: 'ec' | 'rsa';
  days?: number;
}

async function genKey(path: string, type: 'ec' | 'rsa'): Promise<void> {
  const args =
    type === 'ec'
      ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]
      : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path];
  await runChecked('openssl', args);
}

const CA_EXT = (pathlen: number) =>
  `basicConstraints=critical,CA:TRUE,pathlen:${pathlen}\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n`;

function leafExt(type: 'ec' | 'rsa', eku: string, names: readonly string[]): string {
  const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const ku = type === 'rsa' ? 'digitalSignature,keyEncipherment' : 'digitalSignature';
  return `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,${ku}\nextendedKeyUsage=${eku}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n${san ? `subjectAltName=${san}\n` : ''}`;
}

async function selfSigned(dir: string, name: string, cn: string, type: 'ec' | 'rsa', days: number): Promise<void> {
  const key = join(dir, `${name}.key`);
  await genKey(key, type);
  const cfg = join(dir, `${name}.cnf`);
  // A config of our own: the system openssl.cnf would add its own v3_ca extensions and clash with ours.
  writeFileSync(cfg, `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = ${cn}\n[v3]\n${CA_EXT(1).replace('authorityKeyIdentifier=keyid:always\n', '')}`);
  await runChecked('openssl', [
    'req', '-x509', '-new', '-key', key, '-config', cfg, '-extensions', 'v3', '-days', String(days),
    '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-out', join(dir, `${name}.crt`),
  ]);
}

async function signed(
  dir: string,
  name: string,
  cn: string,
  issuer: string,
  ext: string,
  type: 'ec' | 'rsa',
  days: number,
): Promise<void> {
  const key = join(dir, `${name}.key`);
  await genKey(key, type);
  const csr = join(dir, `${name}.csr`);
  const cfg = join(dir, `${name}.cnf`);
  writeFileSync(cfg, `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = ${cn}\n`);
  await runChecked('openssl', ['req', '-new', '-key', key, '-config', cfg, '-out', csr]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  await runChecked('openssl', [
    'x509', '-req', '-in', csr, '-CA', join(dir, `${issuer}.crt`), '-CAkey', join(dir, `${issuer}.key`),
    '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', String(days),
    '-extfile', join(dir, `${name}.ext`), '-out', join(dir, `${name}.crt`),
  ]);
}

/** Generates the lab PKI into opts.dir (created if needed). About a dozen openssl runs. */
export async function generateLabPki(opts: LabPkiOptions): Promise<LabPki> {
  const dir = opts.dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const type = opts.keyType ?? 'ec';
  const days = opts.days ?? 30;
  const names = opts.serverNames ?? ['127.0.0.1', 'localhost'];
  const clientCn = opts.clientCn ?? 'fieldbench-lab-client';

  await Promise.all([
    selfSigned(dir, 'server-root', 'Fieldbench Lab Server Root CA', type, days),
    selfSigned(dir, 'client-root', 'Fieldbench Lab Client Root CA', type, days),
    selfSigned(dir, 'stranger-root', 'Fieldbench Lab Unrelated CA', type, days),
  ]);
  await Promise.all([
    signed(dir, 'server-int', 'Fieldbench Lab Server Intermediate CA', 'server-root', CA_EXT(0), type, days),
    signed(dir, 'client-int', 'Fieldbench Lab Client Intermediate CA', 'client-root', CA_EXT(0), type, days),
    signed(dir, 'stranger', clientCn, 'stranger-root', leafExt(type, 'clientAuth', []), type, days),
  ]);
  await Promise.all([
    signed(dir, 'server', names[0] ?? 'fieldbench-lab-broker', 'server-int', leafExt(type, 'serverAuth,clientAuth', names), type, days),
    signed(dir, 'client', clientCn, 'client-int', leafExt(type, 'clientAuth', []), type, days),
  ]);

  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const serverChainPem = read('server.crt') + read('server-int.crt');
  const clientChainPem = read('client.crt') + read('client-int.crt');
  writeFileSync(join(dir, 'server-chain.pem'), serverChainPem);
  writeFileSync(join(dir, 'client-chain.pem'), clientChainPem);
  return {
    dir,
    serverCaPem: read('server-root.crt'),
    serverCaFile: join(dir, 'server-root.crt'),
    serverChainPem,
    serverChainFile: join(dir, 'server-chain.pem'),
    serverKeyPem: read('server.key'),
    serverKeyFile: join(dir, 'server.key'),
    clientCaPem: read('client-root.crt'),
    clientCaFile: join(dir, 'client-root.crt'),
    clientIntermediatePem: read('client-int.crt'),
    clientChainPem,
    clientChainFile: join(dir, 'client-chain.pem'),
    clientKeyPem: read('client.key'),
    clientKeyFile: join(dir, 'client.key'),
    clientCn,
    strangerChainFile: join(dir, 'stranger.crt'),
    strangerKeyFile: join(dir, 'stranger.key'),
  };
}

/**
 * A server certificate (EC P-256, serverAuth) signed by a CA the caller holds, e.g. the cluster issuer's CA
 * read from the Kubernetes API emulator, so the lab serves what cert-manager would have issued.
 * SANs from `names` (IPs and DNS names told apart); the first name is the CN.
 */
export async function signServerCertificate(opts: { dir: string; caCertPem: string; caKeyPem: string; names: readonly string[]; name?: string; days?: number }): Promise<{ certPem: string; keyPem: string }> {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const issuer = `${opts.name ?? 'signed-server'}-issuer`;
  writeFileSync(join(opts.dir, `${issuer}.crt`), opts.caCertPem);
  writeFileSync(join(opts.dir, `${issuer}.key`), opts.caKeyPem, { mode: 0o600 });
  const name = opts.name ?? 'signed-server';
  await signed(opts.dir, name, opts.names[0] ?? 'fieldbench-lab-broker', issuer, leafExt('ec', 'serverAuth,clientAuth', opts.names), 'ec', opts.days ?? 30);
  const read = (f: string) => readFileSync(join(opts.dir, f), 'utf8');
  return { certPem: read(`${name}.crt`), keyPem: read(`${name}.key`) };
}

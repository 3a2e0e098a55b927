import { describe, expect, it } from 'vitest';
import { resolveByName, type NameKind } from '../../../src/main/services/app/name-resolver';
import { resolveTls, type TlsMaterialSource } from '../../../src/main/services/mqtt/tls-material';
import { FieldbenchError } from '../../../src/shared/errors';

interface Thing {
  id: string;
  name: string;
  host: string;
}
const THINGS: NameKind<Thing> = { singular: 'node', plural: 'nodes', listHint: '`fieldbench node list`', name: (t) => t.name, detail: (t) => t.host };
const items: Thing[] = [
  { id: 'n-7b44aa01', name: 'broker', host: '192.168.2.196' },
  { id: 'n-7b44ff02', name: 'Broker', host: '192.168.2.197' },
  { id: 'n-c0ffee03', name: 'gateway', host: '192.168.2.1' },
];
const failure = (fn: () => unknown): FieldbenchError => {
  try {
    fn();
  } catch (err) {
    return err as FieldbenchError;
  }
  throw new Error('expected a refusal');
};

describe('resolveByName: one resolver for every kind', () => {
  it('takes an id, an exact name, a name in other case, or a unique id start', () => {
    expect(resolveByName(items, 'n-c0ffee03', THINGS).name).toBe('gateway');
    expect(resolveByName(items, 'Broker', THINGS).id).toBe('n-7b44ff02');
    expect(resolveByName(items, 'GATEWAY', THINGS).id).toBe('n-c0ffee03');
    expect(resolveByName(items, 'n-c0f', THINGS).id).toBe('n-c0ffee03');
  });

  it('refuses a name two things answer to, listing every id with what tells them apart', () => {
    const twice = [...items, { id: 'n-99', name: 'gateway', host: '10.0.0.1' }];
    const err = failure(() => resolveByName(twice, 'gateway', THINGS));
    expect(err.code).toBe('ref.ambiguous');
    expect(err.message).toMatch(/^2 nodes are called "gateway": use one of these ids:\n {2}n-c0ffee03 {2}gateway {2}\(192\.168\.2\.1\)\n {2}n-99 {2}gateway {2}\(10\.0\.0\.1\)$/);
    // Two names differing in case only: the exact one wins, anything else is ambiguous.
    expect(failure(() => resolveByName(items, 'BROKER', THINGS)).message).toMatch(/^2 nodes are called "BROKER"/);
    expect(failure(() => resolveByName(items, 'n-7b44', THINGS)).message).toMatch(/^2 nodes have an id starting with "n-7b44"/);
  });

  it('says what it searched when nothing matches', () => {
    const err = failure(() => resolveByName(items, 'nope', THINGS));
    expect(err.code).toBe('ref.notFound');
    expect(err.message).toBe('There is no node called "nope" in the vault. Fieldbench looked at the names and ids of all 3 nodes; see `fieldbench node list`.');
    expect(failure(() => resolveByName([], 'nope', THINGS)).message).toMatch(/There are no nodes there yet/);
    // Id starts under four characters match too much by chance.
    expect(failure(() => resolveByName(items, 'n-c', THINGS)).code).toBe('ref.notFound');
  });
});

describe('TLS material from the vault names certificates by name', () => {
  const pki = (known: Record<string, { pem: string; key?: string; cn: string }>): TlsMaterialSource => ({
    exportCertificatePem: (id) => {
      if (!known[id]) throw new FieldbenchError('pki.not-found', 'no such id');
      return known[id]!.pem;
    },
    exportKey: (id) => {
      if (!known[id]?.key) throw new FieldbenchError('pki.no-private-key', 'no key');
      return known[id]!.key!;
    },
    commonNameOf: (id) => known[id]?.cn,
  });
  const profile = (ca: string, cert?: string) =>
    ({ name: 'x', protocol: 'mqtts', host: 'h', port: 8883, mqttVersion: '5.0', clientId: '', keepaliveSeconds: 60, connectTimeoutSeconds: 10, reconnect: { enabled: false, minDelayMs: 500, maxDelayMs: 30000 }, tls: { ca: { source: 'vault', certificateId: ca }, ...(cert ? { clientCertificate: { source: 'vault', certificateId: cert } } : {}), verifyServer: true } }) as Parameters<typeof resolveTls>[0];

  it('a CA without its private key verifies the broker; the description carries its name', async () => {
    const r = await resolveTls(profile('c-7b44'), pki({ 'c-7b44': { pem: 'CA PEM', cn: 'AIO42 Root CA' } }));
    expect(r).toMatchObject({ ca: 'CA PEM', caDescription: 'the vault CA "AIO42 Root CA"' });
  });

  it('a client certificate without a key is refused by name, saying the key is what is missing', async () => {
    const err = await resolveTls(profile('c-7b44', 'c-1111'), pki({ 'c-7b44': { pem: 'CA', cn: 'AIO42 Root CA' }, 'c-1111': { pem: 'LEAF', cn: 'client42a' } })).then(
      () => new FieldbenchError('test', 'it was accepted'),
      (e: unknown) => e as FieldbenchError,
    );
    expect(err.message).toBe('The vault holds the client certificate "client42a" but not its private key, which a client certificate needs. Import its key file, or pick another certificate in the connection\'s TLS section.');
    expect(err.message).not.toMatch(/c-1111/);
  });
});

import { isIP } from 'node:net';
import { FieldbenchError } from '@shared/errors';
import type { ChainValidation, ExpiryEntry, HostCheckResult } from '@shared/pki-types';
import type { ParsedCertificate } from './parsed-certificate';
import { validateChain } from './chain-validator';
import { parseImportFile } from './pki-importer';
import type { Index, PkiCatalog } from './pki-catalog';

/** Chain validation against the vault's roots: built once per index, so a whole tree costs one pass. */
export function chainValidator(catalog: PkiCatalog, idx: Index): (cert: ParsedCertificate, presented?: ParsedCertificate[]) => ChainValidation {
  const pool = [...idx.entries.values()].map((e) => e.cert);
  const trustedRoots = new Set([...idx.entries.values()].filter((e) => e.issuerId === e.stored.id).map((e) => e.cert.sha256Hex));
  const now = catalog.now();
  return (cert, presented = []) =>
    validateChain(cert, {
      pool,
      trustedRoots,
      presented,
      now,
      idOf: (c) => idx.bySha256.get(c.sha256Hex) ?? null,
      revocationOf: (c) => {
        const id = idx.bySha256.get(c.sha256Hex);
        return id ? (idx.entries.get(id)?.stored.revoked ?? null) : null;
      },
    });
}

/** Builds and validates the chain of a vault certificate against the vault's roots. */
export function verify(catalog: PkiCatalog, id: string): ChainValidation {
  const idx = catalog.getIndex();
  return chainValidator(catalog, idx)(catalog.entry(idx, id).cert);
}

/** Validates a chain as a TLS peer would present it (PEM: leaf first, then intermediates), storing nothing. */
export function verifyPresented(catalog: PkiCatalog, pem: string): ChainValidation {
  const parsed = parseImportFile(pem);
  const [leaf, ...rest] = parsed.certificates;
  if (!leaf) throw new FieldbenchError('pki.no-certificate', parsed.errors[0]?.message ?? 'No certificate was found in the text. Paste the PEM chain, leaf first.');
  const idx = catalog.getIndex();
  return chainValidator(catalog, idx)(leaf, rest);
}

/** "Is this certificate valid for IP/host X?" — the same check a TLS client makes. */
export function checkHost(catalog: PkiCatalog, id: string, host: string): HostCheckResult {
  const e = catalog.entry(catalog.getIndex(), id);
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (h === '') throw new FieldbenchError('pki.bad-host', 'Type a host name or IP address to check.');
  const kind = isIP(h) ? 'ip' : 'dns';
  // SANs only: Go and Rust clients (and the AIO tooling) ignore the subject CN, so a CN match would be
  // a false "valid".
  const valid = kind === 'ip' ? e.cert.node.checkIP(h) !== undefined : e.cert.node.checkHost(h, { subject: 'never' }) !== undefined;
  const listed = e.cert.sans.map((s) => `${s.type.toUpperCase()}:${s.value}`).join(', ') || 'no subject alternative names';
  const message = valid
    ? `"${e.cert.commonName}" is valid for ${h}.`
    : `"${e.cert.commonName}" does not list ${h} (it lists ${listed}). Re-issue it with ${h} in its SANs.`;
  return { host: h, kind, valid, message, sans: e.cert.sans };
}

/** Every certificate, soonest expiry first, with its status colour. */
export function expiryOverview(catalog: PkiCatalog): ExpiryEntry[] {
  const idx = catalog.getIndex();
  return [...idx.entries.values()]
    .map((e) => {
      const s = catalog.summarize(e, idx);
      return { id: s.id, commonName: s.commonName, subject: s.subject, role: s.role, notAfter: s.notAfter, daysLeft: s.daysLeft, status: s.status };
    })
    .sort((a, b) => a.notAfter.localeCompare(b.notAfter));
}

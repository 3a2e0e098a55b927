import type { z } from 'zod';
import { FieldbenchError } from '@shared/errors';
import {
  PKI_MAX_BATCH,
  PKI_MAX_IMPORT_BYTES,
  PKI_MAX_IMPORT_FILES,
  PKI_MAX_VALIDITY_DAYS,
  type InspectedCertificate,
  type PkiDefaults as PkiDefaultsSchema,
} from '@shared/contract/pki-contract';
import { CLIENT_AUTH_OID, INTERMEDIATE_PATH_LENGTH, ROOT_PATH_LENGTH, SERVER_AUTH_OID, familyOfAlgorithm, roleOf } from '@shared/pki-rules';
import type { CertificateStatus, CertificateSummary, PkiDefaults, PkiTreeNode } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { KEY_ALGORITHMS, describeKeyAlgorithm } from './key-generator';
import { REVOCATION_REASON_CODES } from './certificate-profiles';
import { extendedKeyUsageLabel, inspectCertificate, keyUsageLabels } from './certificate-inspector';
import { isSlowAlgorithm } from './issuance-plan';
import { statusOf } from './pki-catalog';
import type { ParsedCertificate } from './parsed-certificate';

// What the screens and the CLI show, shaped from the engine's answers: no rules here, only views.

const KU = x509.KeyUsageFlags;

/** The defaults the wizards start from, with the profile usages in OpenSSL's words and the contract's limits. */
export function wizardDefaults(d: PkiDefaults): z.output<typeof PkiDefaultsSchema> {
  const ca = keyUsageLabels(KU.keyCertSign | KU.cRLSign);
  const leaf = keyUsageLabels(KU.digitalSignature);
  return {
    keyAlgorithm: d.keyAlgorithm,
    keyAlgorithms: KEY_ALGORITHMS.map((id) => ({ id, label: describeKeyAlgorithm(id), family: familyOfAlgorithm(id), slow: isSlowAlgorithm(id) })),
    validity: d.validity,
    profiles: {
      root: { validity: d.validity.root, isCa: true, pathLength: ROOT_PATH_LENGTH, keyUsage: ca, extendedKeyUsage: [] },
      intermediate: { validity: d.validity.intermediate, isCa: true, pathLength: INTERMEDIATE_PATH_LENGTH, keyUsage: ca, extendedKeyUsage: [] },
      server: { validity: d.validity.server, isCa: false, pathLength: null, keyUsage: leaf, extendedKeyUsage: [extendedKeyUsageLabel(SERVER_AUTH_OID)] },
      client: { validity: d.validity.client, isCa: false, pathLength: null, keyUsage: leaf, extendedKeyUsage: [extendedKeyUsageLabel(CLIENT_AUTH_OID)] },
    },
    expiringWithinDays: d.expiringWithinDays,
    // The contract's own limits (what its schemas accept); test/unit/pki-contract checks they match the engine's.
    maxValidityDays: PKI_MAX_VALIDITY_DAYS,
    maxBatch: PKI_MAX_BATCH,
    maxImportBytes: PKI_MAX_IMPORT_BYTES,
    maxImportFiles: PKI_MAX_IMPORT_FILES,
    revocationReasons: Object.keys(REVOCATION_REASON_CODES) as (keyof typeof REVOCATION_REASON_CODES)[],
  };
}

/** The tree with its total and a count per status colour. */
export function treeOverview(tree: PkiTreeNode[]): { tree: PkiTreeNode[]; total: number; counts: Record<CertificateStatus, number> } {
  const counts: Record<CertificateStatus, number> = { valid: 0, expiring: 0, expired: 0, 'not-yet-valid': 0, revoked: 0 };
  let total = 0;
  const walk = (nodes: PkiTreeNode[]): void => {
    for (const n of nodes) {
      total++;
      counts[n.certificate.status]++;
      walk(n.children);
    }
  };
  walk(tree);
  return { tree, total, counts };
}

/** A certificate read from a file: as the vault knows it when it is there, else on its own. */
export function inspectedCertificate(cert: ParsedCertificate, known: ReadonlyMap<string, CertificateSummary>, now: Date): z.output<typeof InspectedCertificate> {
  const inVault = known.get(cert.sha256Hex);
  if (inVault) return { inspection: inspectCertificate(cert), commonName: cert.commonName, role: inVault.role, status: inVault.status, daysLeft: inVault.daysLeft, vaultId: inVault.id };
  const daysLeft = Math.floor((cert.notAfter.getTime() - now.getTime()) / 86_400_000);
  return { inspection: inspectCertificate(cert), commonName: cert.commonName, role: roleOf(cert), status: statusOf(cert, false, now.getTime()), daysLeft, vaultId: null };
}

/** SHA-256 → summary of the unlocked vault; empty while locked (inspecting a file needs no vault). */
export function summariesByFingerprint(read: () => CertificateSummary[]): Map<string, CertificateSummary> {
  try {
    return new Map(read().map((s) => [s.fingerprintSha256, s]));
  } catch (err) {
    if (err instanceof FieldbenchError && err.code === 'vault.locked') return new Map();
    throw err;
  }
}

/** A file name from a common name: "AIO42 Root CA" → "aio42_root_ca", as the seeds name their files. */
export function fileSlug(commonName: string): string {
  const slug = commonName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '_')
    .replace(/^[_.]+|_+$/g, '');
  return slug || 'certificate';
}

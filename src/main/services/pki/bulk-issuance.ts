import { createHash, generateKeyPair } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import { MAX_DEVICE_LIST, csvCell, parseDeviceList, type LineProblem } from '@shared/pki-device-list';
import {
  DEFAULT_VALIDITY,
  MIXED_FAMILY_MESSAGE,
  NO_SANS_MESSAGE,
  clampedMessage,
  defaultAlgorithmFor,
  familyOfAlgorithm,
  issuerRefusal,
  leafSans,
  mixedChainRefusal,
  planValidity,
  type ValidityWindow,
} from '@shared/pki-rules';
import type { KeyAlgorithm, PkiWarning, SubjectAltName, ValidityInput } from '@shared/pki-types';
import { cancelledError, describeKeyAlgorithm, throwIfAborted, type CancelOptions } from './key-generator';
import { LeafTemplate, derToPem } from './leaf-template';
import { certificateIdFor } from './pki-section';
import type { PkiCatalog } from './pki-catalog';
import type { PlanIssuer } from './issuance-plan';

/** A device list to issue client certificates for, under one CA, with defaults for what a row leaves out. */
export interface ClientListRequest {
  issuerId: string;
  /** One device id per line, or CSV (see parseDeviceList). */
  list: string;
  organization?: string | undefined;
  keyAlgorithm?: KeyAlgorithm | undefined;
  validity?: ValidityInput | undefined;
  clampToIssuer?: boolean | undefined;
  allowMixedKeyFamilies?: boolean | undefined;
}

export interface PlannedDevice {
  line: number;
  deviceId: string;
  sans: SubjectAltName[];
  keyAlgorithm: KeyAlgorithm;
  notBefore: string;
  notAfter: string;
  validityClamped: boolean;
  iothubDeviceId: string | null;
}

export interface ClientListPlan {
  /** Problems by line; line 0 is the list as a whole (the CA, the organization). */
  problems: LineProblem[];
  warnings: PkiWarning[];
  devices: PlannedDevice[];
  canIssue: boolean;
}

export interface IssuedDevice {
  line: number;
  deviceId: string;
  certificateId: string;
  serialHex: string;
  /** IoT Hub's thumbprint format: uppercase hex, no colons. */
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  notAfter: string;
  iothubDeviceId: string | null;
}

export interface ClientListResult {
  issued: IssuedDevice[];
  warnings: PkiWarning[];
  /** device_id, serial, sha1_thumbprint, sha256_thumbprint, not_after (+ iothub_device_id): what IoT Hub or an asset list takes. */
  summaryCsv: string;
}

/** Key generations in flight at once: enough to keep libuv's thread pool busy, few enough to cancel promptly. */
const KEYGEN_WAVE = 64;

/**
 * The plan for a device list: every row checked against the same rules as a single client (the shared
 * pki-rules) plus what only a list can get wrong — repeats, and ids that already have a certificate in
 * the vault. The wizard's table and `createClientList` both run this, so the table never says Ready for
 * a list that would be refused.
 */
export function planClientList(catalog: PkiCatalog, req: ClientListRequest): ClientListPlan & { issuer: PlanIssuer | null } {
  const idx = catalog.getIndex();
  const now = catalog.now();
  const { rows, problems } = parseDeviceList(req.list, MAX_DEVICE_LIST);
  const warnings: PkiWarning[] = [];
  const warn = (w: PkiWarning): void => {
    if (!warnings.some((x) => x.code === w.code && x.message === w.message)) warnings.push(w);
  };
  const general = (message: string): void => void problems.unshift({ line: 0, message });
  if (rows.length === 0 && problems.length === 0) general('The list is empty. Paste one device id per line, or a CSV with a device_id column.');
  const org = req.organization?.trim();
  if (org && org.length > 64) general('X.509 allows at most 64 characters in the organization (O).');

  let issuer: PlanIssuer | null = null;
  const found = catalog.planIssuer(idx, req.issuerId);
  if (found === undefined) general('Choose the CA that signs these certificates.');
  else if ('missing' in found) general('That CA is no longer in the vault. Choose another one.');
  else {
    const refusal = issuerRefusal(found, 'client', now);
    if (refusal) general(refusal.message);
    else issuer = found;
  }

  // Ids that already have a client certificate: a second one would give the device two identities.
  const existing = new Map<string, string>();
  for (const e of idx.entries.values()) if ((e.stored.role === 'client' || e.stored.role === 'leaf') && !e.stored.revoked) existing.set(e.cert.commonName, e.stored.id);

  const windows = new Map<string, ({ ok: true } & ValidityWindow) | { ok: false; message: string }>();
  const families = new Map<KeyAlgorithm, string | null>();
  const devices: PlannedDevice[] = [];
  for (const row of rows) {
    const line = row.line;
    const had = existing.get(row.deviceId);
    if (had) {
      problems.push({ line, message: `"${row.deviceId}" already has a client certificate in the vault (${had}). Remove the line, or renew or revoke that certificate.` });
      continue;
    }
    if (!issuer) continue;
    const keyAlgorithm = row.keyAlgorithm ?? req.keyAlgorithm ?? defaultAlgorithmFor(issuer.keyFamily);
    if (!families.has(keyAlgorithm)) families.set(keyAlgorithm, mixedChainRefusal(keyAlgorithm, issuer.chainFamilies, issuer.commonName)?.message ?? null);
    const mixed = families.get(keyAlgorithm)!;
    if (mixed && !req.allowMixedKeyFamilies) {
      problems.push({ line, message: mixed });
      continue;
    }
    if (mixed) warn({ code: 'mixed-key-families', message: MIXED_FAMILY_MESSAGE });
    const validity = row.validity ?? req.validity;
    const key = JSON.stringify(validity ?? null);
    if (!windows.has(key)) {
      const w = planValidity({ now, validity: validity ?? DEFAULT_VALIDITY.client, issuer, clampToIssuer: req.clampToIssuer ?? false, isDefault: validity === undefined });
      windows.set(key, w.ok ? w : { ok: false, message: w.message });
    }
    const w = windows.get(key)!;
    if (!w.ok) {
      problems.push({ line, message: w.message });
      continue;
    }
    if (w.clamped) warn({ code: 'validity-clamped', message: clampedMessage(issuer.commonName, w.notAfter) });
    const sans = leafSans(row.sans, row.deviceId);
    if (!sans) warn({ code: 'no-sans', message: NO_SANS_MESSAGE(row.deviceId) });
    devices.push({ line, deviceId: row.deviceId, sans: sans ?? [], keyAlgorithm, notBefore: w.notBefore.toISOString(), notAfter: w.notAfter.toISOString(), validityClamped: w.clamped, iothubDeviceId: row.iothubDeviceId ?? null });
  }
  problems.sort((a, b) => a.line - b.line);
  return { problems, warnings, devices, canIssue: problems.length === 0 && devices.length > 0, issuer };
}

/**
 * Issues a client certificate per device of a list, under one CA, in one vault save. Keys are generated
 * on the thread pool in waves; each certificate is written from a DER template and signed with
 * node:crypto (see leaf-template.ts for why). Nothing is saved until every certificate exists, so a
 * cancelled or failed batch leaves the vault exactly as it was.
 */
export async function createClientList(catalog: PkiCatalog, req: ClientListRequest, op: CancelOptions = {}): Promise<ClientListResult> {
  const plan = planClientList(catalog, req);
  if (!plan.canIssue) {
    const shown = plan.problems.slice(0, 5).map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message));
    const more = plan.problems.length > 5 ? ` (and ${plan.problems.length - 5} more)` : '';
    throw new FieldbenchError('pki.bad-list', `Nothing was issued: the list has ${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'}${more}. ${shown.join(' ')}`, { detail: JSON.stringify(plan.problems) });
  }
  const idx = catalog.getIndex();
  const issuer = catalog.issuerMaterial(idx, req.issuerId);
  const org = req.organization?.trim() || undefined;
  const templates = new Map<string, LeafTemplate>();
  const templateFor = (d: PlannedDevice): LeafTemplate => {
    const k = `${d.notBefore}|${d.notAfter}`;
    let t = templates.get(k);
    if (!t) {
      t = new LeafTemplate(issuer, { notBefore: new Date(d.notBefore), notAfter: new Date(d.notAfter) }, 'clientAuth');
      templates.set(k, t);
    }
    return t;
  };

  const made: { device: PlannedDevice; der: Buffer; serialHex: string; sha1Hex: string; sha256Hex: string; keyId: string; pkcs8Pem: string }[] = [];
  const total = plan.devices.length;
  for (let start = 0; start < total; start += KEYGEN_WAVE) {
    throwIfAborted(op.signal, 'Creating the client certificates');
    const wave = plan.devices.slice(start, start + KEYGEN_WAVE);
    op.progress?.(`Generating ${describeKeyAlgorithm(wave[0]!.keyAlgorithm)} keys and signing (${start} of ${total})…`, start / total);
    const keys = await Promise.all(wave.map((d) => encodedKeyPair(d.keyAlgorithm, op.signal)));
    const signed = await Promise.all(
      wave.map((device, i) => templateFor(device).signAsync({ commonName: device.deviceId, organization: org, sans: device.sans, spki: keys[i]!.spki, rsa: familyOfAlgorithm(device.keyAlgorithm) === 'rsa' })),
    );
    for (const [i, device] of wave.entries()) {
      const key = keys[i]!;
      made.push({ device, ...signed[i]!, keyId: createHash('sha256').update(key.spki).digest('hex'), pkcs8Pem: key.pkcs8Pem });
    }
  }
  throwIfAborted(op.signal, 'Creating the client certificates');
  op.progress?.(`Saving ${total} certificates to the vault…`, 1);
  const createdAt = catalog.now().toISOString();
  await catalog.update((draft) => {
    for (const m of made) {
      const id = certificateIdFor(m.sha256Hex);
      draft.certificates[id] = { id, sha256: m.sha256Hex, pem: derToPem(m.der), role: 'client', source: 'created', createdAt, revoked: null, renewedFrom: null };
      if (!draft.keys[m.keyId]) draft.keys[m.keyId] = { id: m.keyId, pkcs8Pem: m.pkcs8Pem, createdAt };
    }
  });
  for (const m of made) catalog.link(certificateIdFor(m.sha256Hex), req.issuerId);
  const issued: IssuedDevice[] = made.map((m) => ({
    line: m.device.line,
    deviceId: m.device.deviceId,
    certificateId: certificateIdFor(m.sha256Hex),
    serialHex: m.serialHex,
    sha1Thumbprint: m.sha1Hex,
    sha256Thumbprint: m.sha256Hex,
    // As the certificate encodes it: X.509 times carry whole seconds.
    notAfter: new Date(Math.floor(Date.parse(m.device.notAfter) / 1000) * 1000).toISOString(),
    iothubDeviceId: m.device.iothubDeviceId,
  }));
  return { issued, warnings: plan.warnings, summaryCsv: summaryCsv(issued) };
}

/** The summary an IoT Hub registration script or a customer's asset list takes. */
export function summaryCsv(issued: readonly IssuedDevice[]): string {
  const hub = issued.some((d) => d.iothubDeviceId);
  const header = ['device_id', 'serial', 'sha1_thumbprint', 'sha256_thumbprint', 'not_after', ...(hub ? ['iothub_device_id'] : [])];
  const lines = issued.map((d) => [d.deviceId, d.serialHex, d.sha1Thumbprint, d.sha256Thumbprint, d.notAfter, ...(hub ? [d.iothubDeviceId ?? ''] : [])].map(csvCell).join(','));
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** A key pair encoded on the thread pool (SPKI DER, PKCS#8 PEM), so the main thread only signs. */
function encodedKeyPair(alg: KeyAlgorithm, signal: AbortSignal | undefined): Promise<{ spki: Buffer; pkcs8Pem: string }> {
  const encoding = { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError('Key generation'));
      return;
    }
    const done = (err: Error | null, spki: Buffer, pkcs8Pem: string): void => {
      if (err) reject(new FieldbenchError('pki.keygen-failed', `Generating the ${describeKeyAlgorithm(alg)} key failed. Try again or choose another key type.`, { cause: err }));
      else resolve({ spki, pkcs8Pem });
    };
    switch (alg) {
      case 'ec-p256':
        generateKeyPair('ec', { namedCurve: 'P-256', ...encoding }, done);
        break;
      case 'ec-p384':
        generateKeyPair('ec', { namedCurve: 'P-384', ...encoding }, done);
        break;
      case 'ed25519':
        generateKeyPair('ed25519', encoding, done);
        break;
      default:
        generateKeyPair('rsa', { modulusLength: Number(alg.slice(4)), publicExponent: 0x10001, ...encoding }, done);
    }
  });
}

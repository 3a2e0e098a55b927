import { isIP } from 'node:net';
import { FieldbenchError } from '@shared/errors';
import type { CertificateRole, SanType, SubjectAltName, ValidityInput } from '@shared/pki-types';

/**
 * Profile defaults, exported so the UI can show them before anything is issued. CAs follow step's
 * ten years. Leaves get 825 days rather than step's 24 hours, which surprises people in the field: 825
 * days is the longest lifetime mainstream TLS clients still accept for a server certificate.
 */
export const DEFAULT_VALIDITY: Readonly<Record<CertificateRole, ValidityInput>> = Object.freeze({
  root: { days: 3650 },
  intermediate: { days: 3650 },
  server: { days: 825 },
  client: { days: 825 },
  leaf: { days: 825 },
});

export const ROOT_PATH_LENGTH = 1;
export const INTERMEDIATE_PATH_LENGTH = 0;
/** "Expiring" in the status colours and the expiry overview. */
export const EXPIRING_WITHIN_DAYS = 30;
/** Backdating absorbs small clock differences between the workbench and the edge node. */
export const NOT_BEFORE_BACKDATE_MS = 60_000;
export const MAX_VALIDITY_DAYS = 36_500;

/** Stable CRL reason codes (RFC 5280). */
export const REVOCATION_REASON_CODES = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
} as const;

export function validityMs(validity: ValidityInput): number {
  const hours = 'hours' in validity ? validity.hours : validity.days * 24;
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new FieldbenchError('pki.bad-validity', 'The validity must be a positive number of days or hours.');
  }
  if (hours > MAX_VALIDITY_DAYS * 24) {
    throw new FieldbenchError('pki.bad-validity', `A validity over ${MAX_VALIDITY_DAYS} days is not accepted. Choose a shorter one.`);
  }
  return Math.round(hours * 3_600_000);
}

export function describeValidity(validity: ValidityInput): string {
  return 'hours' in validity ? `${validity.hours} hours` : `${validity.days} days`;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const DNS_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** step's rule: an IP becomes iPAddress, anything with '@' an email, anything with a scheme a URI, else DNS. */
export function classifySan(raw: string): SubjectAltName {
  const value = raw.trim();
  if (value === '') throw new FieldbenchError('pki.bad-san', 'A subject alternative name is empty. Remove it or type a host name or IP address.');
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(unbracketed)) return { type: 'ip', value: unbracketed };
  if (value.includes('@') && !SCHEME.test(value)) return { type: 'email', value };
  if (SCHEME.test(value)) return { type: 'uri', value };
  if (!DNS_NAME.test(value) || value.length > 253) {
    throw new FieldbenchError('pki.bad-san', `"${value}" is neither an IP address nor a valid host name. Check for spaces or typos.`);
  }
  return { type: 'dns', value };
}

export function classifySans(values: readonly string[]): SubjectAltName[] {
  const seen = new Set<string>();
  const out: SubjectAltName[] = [];
  for (const raw of values) {
    const san = classifySan(raw);
    const key = `${san.type}:${san.value.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(san);
  }
  return out;
}

export const sanTypeLabel: Record<SanType, string> = { dns: 'DNS', ip: 'IP Address', email: 'email', uri: 'URI', other: 'othername' };

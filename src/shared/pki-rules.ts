/**
 * The PKI rules the wizards, the preview and issuance all apply: SAN typing, validity, what an issuer may
 * sign, batch naming and key families. Written once here so the form, the preview and the engine cannot
 * disagree (they once did: `10.0.0.999` was "invalid" in the form and a DNS name in the certificate).
 * Pure functions over plain values; no runtime imports (the renderer and main both load this file).
 */
import type { CertificateRole, KeyAlgorithm, KeyFamily, SubjectAltName, ValidityDates, ValidityInput } from './pki-types';

// ---------------------------------------------------------------------------------------------------
// Subject alternative names

export type SanVerdict = { ok: true; san: SubjectAltName } | { ok: false; value: string; problem: string };

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const DOTTED_NUMBERS = /^\d+(\.\d+)+$/;
const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const DNS_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
// An IPv4 address glued to a letter or dash on either side: a missing comma. A dot on both sides is a
// legitimate name that embeds an address (10.0.0.1.nip.io), so only letters, `_` and `-` count as glue.
const RUN_TOGETHER_IP = /(?:^|[A-Za-z_-])((?:\d{1,3}\.){3}\d{1,3})(?=[A-Za-z_-])|[A-Za-z_-]((?:\d{1,3}\.){3}\d{1,3})$/;

/** Four decimal octets 0–255 without leading zeros (some parsers read "010" as octal 8, so it is refused). */
export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => IPV4_OCTET.test(p));
}

/** RFC 4291 §2.2 text forms, including "::" and a trailing dotted quad; no zone id (it cannot be encoded). */
export function isIPv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(value)) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const all = [...head, ...tail];
  const last = all[all.length - 1] ?? '';
  const v4 = last.includes('.');
  if (v4 && !isIPv4(last)) return false;
  const hex = v4 ? all.slice(0, -1) : all;
  if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const width = hex.length + (v4 ? 2 : 0);
  return halves.length === 2 ? width <= 7 : width === 8;
}

/**
 * An IPv6 address with its dotted-quad tail (`2001:db8::10.0.0.1`) rewritten as two hex groups
 * (`2001:db8::a00:1`): the same address, in the form every encoder reads correctly (@peculiar/x509
 * encodes the dotted form as `2001:db8::10`, a different host).
 */
function hexTail(v6: string): string {
  const cut = v6.lastIndexOf(':');
  const tail = v6.slice(cut + 1);
  if (!tail.includes('.')) return v6;
  const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
  return `${v6.slice(0, cut + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/**
 * Types one SAN the way step does (DOMAIN.md, certificate profiles): an IP address becomes iPAddress,
 * anything with a scheme a URI, anything with '@' an e-mail, anything else a DNS name. Where step would
 * encode a typo silently, Fieldbench refuses with a sentence instead:
 * - `10.0.0.999`, `192.168.2.300`, `010.0.0.1`: numbers and dots only, yet not an IPv4 address. As a DNS
 *   name it would never match (an all-numeric top-level label is not a host name, RFC 3696 §2), so the
 *   broker's clients would fail the handshake far from where the typo was made.
 * - `2001:db8::10.0.0.1`: kept as the same address with a hex tail (see hexTail).
 * - `[::1]`: the bracketed form is how IPv6 is written in URLs (RFC 3986 §3.2.2); the brackets are
 *   stripped and the address is encoded as iPAddress, as the technician meant.
 * - `fe80::1%eth0`: a zone id names an interface on one machine and has no encoding in iPAddress.
 * - `*` and `*.local`: TLS clients never match a bare wildcard or a wildcard directly under the top-level
 *   label (RFC 6125 §6.4.3; Node's tls.checkServerIdentity refuses `*.tld`), so such a SAN is dead weight.
 *   `*.plant.local` is accepted; a wildcard elsewhere than the whole leftmost label is refused.
 * A trailing dot (`broker.local.`) is accepted and dropped: clients compare names without it.
 */
export function classifySan(raw: string): SanVerdict {
  const value = raw.trim();
  const refuse = (problem: string): SanVerdict => ({ ok: false, value, problem });
  if (value === '') return refuse('A subject alternative name is empty. Remove it or type a host name or IP address.');
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIPv4(unbracketed)) return { ok: true, san: { type: 'ip', value: unbracketed } };
  if (isIPv6(unbracketed)) return { ok: true, san: { type: 'ip', value: hexTail(unbracketed) } };
  if (unbracketed !== value) return refuse(`"${value}" is in brackets but is not an IPv6 address. Type the address without brackets, or check it for typos.`);
  if (/%/.test(value) && isIPv6(value.slice(0, value.indexOf('%')))) {
    return refuse(`"${value}" carries a zone id (the part after %), which a certificate cannot hold. Use the address without it.`);
  }
  if (DOTTED_NUMBERS.test(value)) return refuse(`"${value}" looks like an IP address but is not a valid one. Check each of the four numbers is 0–255, without leading zeros.`);
  if (SCHEME.test(value)) return { ok: true, san: { type: 'uri', value } };
  if (value.includes('@')) return EMAIL.test(value) ? { ok: true, san: { type: 'email', value } } : refuse(`"${value}" is not a valid e-mail address.`);
  const runTogether = RUN_TOGETHER_IP.exec(value);
  const gluedIp = runTogether?.[1] ?? runTogether?.[2];
  if (gluedIp !== undefined && isIPv4(gluedIp)) {
    return refuse(`"${value}" looks like the address ${gluedIp} and a name typed without a comma between them. Separate the entries with a comma.`);
  }
  const host = value.endsWith('.') ? value.slice(0, -1) : value;
  const labels = host.split('.');
  if (labels[0] === '*') {
    if (labels.length < 3) return refuse(`"${value}" is a wildcard that TLS clients never match. Use a wildcard under a domain of at least two labels, e.g. "*.plant.local", or list the host names.`);
  } else if (host.includes('*')) {
    return refuse(`"${value}" has a wildcard in the wrong place. A wildcard can only be the whole first label, e.g. "*.plant.local".`);
  }
  const named = labels[0] === '*' ? labels.slice(1) : labels;
  if (host.length === 0 || host.length > 253 || !named.every((l) => DNS_LABEL.test(l))) {
    return refuse(`"${value}" is neither an IP address nor a valid host name. Check for spaces or typos.`);
  }
  if (/^\d+$/.test(named[named.length - 1]!)) return refuse(`"${value}" ends in a number, so it is not a host name (and not an IP address). Check it for typos.`);
  return { ok: true, san: { type: 'dns', value: host } };
}

/** Splits what was typed or pasted (commas, semicolons, spaces, new lines) into entries, keeping the order. */
export function splitSanText(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Types a list of SANs, dropping repeats (same type and value, ignoring case) and collecting every problem. */
export function classifySanList(values: readonly string[]): { sans: SubjectAltName[]; problems: { value: string; problem: string }[] } {
  const seen = new Set<string>();
  const sans: SubjectAltName[] = [];
  const problems: { value: string; problem: string }[] = [];
  for (const raw of values) {
    if (raw.trim() === '') continue;
    const v = classifySan(raw);
    if (!v.ok) {
      problems.push({ value: v.value, problem: v.problem });
      continue;
    }
    const key = `${v.san.type}:${v.san.value.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sans.push(v.san);
  }
  return { sans, problems };
}

/**
 * The SANs a leaf gets: the typed ones, or (step's habit) its CN when none were given, so clients that
 * ignore the CN still match it. Null when neither yields a SAN (the caller warns).
 */
export function leafSans(typed: readonly SubjectAltName[], commonName: string): SubjectAltName[] | null {
  if (typed.length > 0) return [...typed];
  const fromCn = classifySan(commonName);
  return fromCn.ok ? [fromCn.san] : null;
}

export const NO_SANS_MESSAGE = (commonName: string): string =>
  `The certificate has no subject alternative names and "${commonName}" cannot be one. Clients that check host names will reject it.`;

// ---------------------------------------------------------------------------------------------------
// Validity

/**
 * CAs follow step's ten years. Leaves get 825 days rather than step's 24 hours, which surprises people in
 * the field: 825 days is the longest lifetime mainstream TLS clients still accept for a server certificate.
 */
export const DEFAULT_VALIDITY: Readonly<Record<CertificateRole, ValidityInput>> = Object.freeze({
  root: { days: 3650 },
  intermediate: { days: 3650 },
  server: { days: 825 },
  client: { days: 825 },
  leaf: { days: 825 },
});
export const MAX_VALIDITY_DAYS = 36_500;
/** "Expiring" in the status colours and the expiry overview. */
export const EXPIRING_WITHIN_DAYS = 30;
/** Backdating absorbs small clock differences between the workbench and the edge node. */
export const NOT_BEFORE_BACKDATE_MS = 60_000;
export const ROOT_PATH_LENGTH = 1;
export const INTERMEDIATE_PATH_LENGTH = 0;

export type RuleProblem = { code: string; message: string };

/** The validity in milliseconds, or the sentence saying why it cannot be one. */
export function checkValidity(validity: ValidityInput): { ok: true; ms: number } | ({ ok: false } & RuleProblem) {
  const hours = 'hours' in validity ? validity.hours : validity.days * 24;
  if (hours === 0) return { ok: false, code: 'pki.bad-validity', message: ZERO_VALIDITY_MESSAGE };
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0) return { ok: false, code: 'pki.bad-validity', message: 'The validity must be a positive number of days or hours.' };
  if (hours > MAX_VALIDITY_DAYS * 24) return { ok: false, code: 'pki.bad-validity', message: `A validity over ${MAX_VALIDITY_DAYS} days is not accepted. Choose a shorter one.` };
  return { ok: true, ms: Math.round(hours * 3_600_000) };
}

/** A validity of 0 is never valid; a test certificate that is expired or back-dated is made with explicit dates. */
export const ZERO_VALIDITY_MESSAGE =
  'A validity of 0 would make a certificate that is never valid. For an expired or back-dated test certificate give its dates instead: "Not before" and "Not after" (--not-before 2024-01-01 --not-after 2024-01-02).';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 date as a person types it: `2024-01-01` (midnight UTC), `2024-01-01T08:00Z`, or with an
 * offset. A time without a zone is refused rather than guessed: the workbench's zone and the edge node's
 * often differ, and a certificate's dates are UTC. Dates that do not exist (2024-02-30) are refused too.
 */
export function parseIsoDate(text: string, label: string): { ok: true; date: Date } | ({ ok: false } & RuleProblem) {
  const t = text.trim();
  const m = ISO_DATE.exec(t);
  const refuse = (why: string) => ({ ok: false as const, code: 'pki.bad-date', message: `${label} "${t}" ${why} Write it as 2024-01-01 or 2024-01-01T08:00:00Z.` });
  if (!m) return refuse('is not an ISO date.');
  if (m[4] !== undefined && m[7] === undefined) return refuse('has a time but no time zone (add Z for UTC).');
  const date = new Date(m[4] === undefined ? `${t}T00:00:00Z` : t.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return refuse('is not a date.');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  if (calendar.getUTCFullYear() !== y || calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== d) return refuse('is not a day of the calendar.');
  // X.509 times end in 9999 (RFC 5280 §4.1.2.5); before 1950 UTCTime cannot say it.
  if (y < 1950 || y > 9999) return refuse('is outside the years a certificate can hold (1950–9999).');
  return { ok: true, date };
}

/** Warnings a person must not miss about a certificate's dates: expired, not yet valid, back-dated. */
export function validityNotes(c: { notBefore: Date; notAfter: Date; issuedAt?: Date | undefined }, now: Date): string[] {
  const day = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  const days = (ms: number) => `${Math.max(1, Math.round(ms / 86_400_000))} day${Math.round(ms / 86_400_000) === 1 ? '' : 's'}`;
  const notes: string[] = [];
  if (c.notAfter.getTime() <= now.getTime()) notes.push(`EXPIRED: this certificate expired on ${day(c.notAfter)}, ${days(now.getTime() - c.notAfter.getTime())} ago. Clients and brokers refuse it.`);
  if (c.notBefore.getTime() > now.getTime()) notes.push(`NOT YET VALID: this certificate starts on ${day(c.notBefore)}. Clients and brokers refuse it until then.`);
  // Fieldbench itself back-dates by a minute for clock drift; anything earlier than an hour was asked for.
  if (c.issuedAt && c.issuedAt.getTime() - c.notBefore.getTime() > BACKDATED_AFTER_MS) notes.push(`BACK-DATED: valid from ${day(c.notBefore)}, ${days(c.issuedAt.getTime() - c.notBefore.getTime())} before it was made on ${day(c.issuedAt)} (a test certificate).`);
  return notes;
}

/** More back-dating than this was chosen by a person, not by the clock-drift allowance. */
export const BACKDATED_AFTER_MS = 3_600_000;

export function describeValidityInput(validity: ValidityInput): string {
  return 'hours' in validity ? `${validity.hours} hours` : `${validity.days} days`;
}

function formatSpan(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(ms / 3_600_000);
  if (hours < 72) return `${hours} hours`;
  return `${Math.ceil(ms / 86_400_000)} days`;
}

export interface ValidityWindow {
  notBefore: Date;
  notAfter: Date;
  /** Shortened to the issuer's notAfter because the person asked for it (a default ending with the CA is not). */
  clamped: boolean;
}

/**
 * The certificate's validity window. A window that would outlast the issuer is refused unless the person
 * asked to shorten it (`clampToIssuer`); it is never shortened silently, not even by seconds (a leaf made
 * minutes after its CA with the same 72000 hours): the sentence says by how much and how to proceed.
 */
export function planValidity(input: {
  now: Date;
  validity: ValidityInput;
  issuer: { commonName: string; notBefore: Date; notAfter: Date } | null;
  clampToIssuer: boolean;
  /**
   * The validity is the profile's default, not one the person chose: a default means "up to ten years,
   * within the CA's own life", so it ends with the CA rather than being refused (a root and an
   * intermediate made with the defaults a minute apart would otherwise never fit).
   */
  isDefault?: boolean;
  /**
   * Explicit dates (test certificates). A start replaces "now"; an end replaces the validity, which then must
   * not be given as well. A start before the CA's own is kept: an expired test leaf under a new CA is the point.
   */
  dates?: ValidityDates | undefined;
}): ({ ok: true } & ValidityWindow) | ({ ok: false } & RuleProblem) {
  const dates = input.dates ?? {};
  const start = dates.notBefore ? parseIsoDate(dates.notBefore, 'Not before') : null;
  if (start && !start.ok) return start;
  const end = dates.notAfter ? parseIsoDate(dates.notAfter, 'Not after') : null;
  if (end && !end.ok) return end;
  if (end && !input.isDefault) return { ok: false, code: 'pki.bad-validity', message: 'Give either a validity (days or hours) or a "Not after" date, not both.' };
  const checked = end ? null : checkValidity(input.validity);
  if (checked && !checked.ok) return checked;
  const notBefore = start ? new Date(start.date.getTime()) : new Date(input.now.getTime() - NOT_BEFORE_BACKDATE_MS);
  let notAfter = end ? new Date(end.date.getTime()) : new Date((start ? start.date.getTime() : input.now.getTime()) + checked!.ms);
  if (notAfter.getTime() <= notBefore.getTime()) {
    return { ok: false, code: 'pki.bad-validity', message: `"Not after" (${notAfter.toISOString()}) must come after "Not before" (${notBefore.toISOString()}).${start ? '' : ' For a certificate that has already expired, give a "Not before" date in the past too.'}` };
  }
  if (notAfter.getTime() - notBefore.getTime() > MAX_VALIDITY_DAYS * 86_400_000) return { ok: false, code: 'pki.bad-validity', message: `A validity over ${MAX_VALIDITY_DAYS} days is not accepted. Choose closer dates.` };
  let clamped = false;
  const ca = input.issuer;
  if (ca) {
    if (notAfter.getTime() > ca.notAfter.getTime()) {
      if (!input.clampToIssuer && (!input.isDefault || end)) {
        return {
          ok: false,
          code: 'pki.validity-exceeds-issuer',
          message: `${end ? `Ending on ${notAfter.toISOString().slice(0, 10)}` : `A validity of ${describeValidityInput(input.validity)}`} would outlast "${ca.commonName}" by ${formatSpan(notAfter.getTime() - ca.notAfter.getTime())}: it expires on ${ca.notAfter.toISOString().slice(0, 10)}. Shorten the validity, or let Fieldbench end it on the CA's expiry date (the "shorten" option, --clamp).`,
        };
      }
      notAfter = new Date(ca.notAfter.getTime());
      clamped = !input.isDefault || end !== null;
    }
    if (!start && notBefore.getTime() < ca.notBefore.getTime()) notBefore.setTime(ca.notBefore.getTime());
  }
  return { ok: true, notBefore, notAfter, clamped };
}

export const clampedMessage = (caName: string, notAfter: Date): string => `The validity was shortened to end with "${caName}" on ${notAfter.toISOString().slice(0, 10)}.`;

// ---------------------------------------------------------------------------------------------------
// What an issuer may sign

export type IssueProfile = 'root' | 'intermediate' | 'server' | 'client';

/** What the rules need to know about a would-be issuer, however the caller learned it. */
export interface IssuerFacts {
  commonName: string;
  isCa: boolean;
  /** Key usage allows keyCertSign (or the certificate has no key usage extension). */
  mayCertSign: boolean;
  pathLength: number | null;
  notBefore: Date;
  notAfter: Date;
  revoked: boolean;
  hasPrivateKey: boolean;
  keyFamily: KeyFamily;
}

/** Whether a CA with this path length may sign another CA (RFC 5280 §4.2.1.9: 0 allows end entities only). */
export function maySignCa(pathLength: number | null): boolean {
  return pathLength === null || pathLength > 0;
}

/**
 * Why this issuer cannot sign a certificate of this profile now, or null. The order is the order a person
 * fixes things in: the wrong certificate first, then its state. The path-length rule lives only here.
 */
export function issuerRefusal(issuer: IssuerFacts, profile: IssueProfile, now: Date): RuleProblem | null {
  const name = issuer.commonName;
  if (profile === 'root') return { code: 'pki.bad-profile', message: 'A root CA signs itself; it cannot have an issuer. Create an intermediate instead.' };
  if (!issuer.isCa) return { code: 'pki.issuer-not-ca', message: `"${name}" is not a CA certificate (no basicConstraints CA:TRUE), so it cannot sign. Choose a root or intermediate CA.` };
  if (!issuer.mayCertSign) return { code: 'pki.issuer-not-ca', message: `"${name}" is not allowed to sign certificates (its key usage lacks keyCertSign). Choose another CA.` };
  if (profile === 'intermediate' && !maySignCa(issuer.pathLength)) {
    return { code: 'pki.path-length', message: `"${name}" has path length 0, so it can sign only end-entity certificates, not another CA. Sign the intermediate with the root instead.` };
  }
  if (issuer.revoked) return { code: 'pki.issuer-revoked', message: `"${name}" is marked revoked and must not sign anything. Choose another CA.` };
  if (!issuer.hasPrivateKey) return { code: 'pki.no-private-key', message: `The vault has no private key for "${name}". Import its key file first.` };
  if (issuer.notAfter.getTime() <= now.getTime()) return { code: 'pki.issuer-expired', message: `"${name}" expired on ${issuer.notAfter.toISOString().slice(0, 10)} and can no longer sign. Renew the CA first.` };
  if (issuer.notBefore.getTime() > now.getTime()) return { code: 'pki.issuer-not-yet-valid', message: `"${name}" is not valid before ${issuer.notBefore.toISOString()}. Check the computer's clock.` };
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Key families

export const MIXED_FAMILY_MESSAGE = 'The chain mixes EC and RSA keys; the AIO broker rejects a client chain that mixes EC and RSA. Issue the whole chain with one key family.';

export function familyOfAlgorithm(alg: KeyAlgorithm): KeyFamily {
  return alg.startsWith('rsa') ? 'rsa' : alg.startsWith('ec') ? 'ec' : 'ed25519';
}

/** The key a CA's certificates get when none is chosen: the CA's own family, at its fastest size. */
export function defaultAlgorithmFor(family: KeyFamily | null): KeyAlgorithm {
  return family === 'rsa' ? 'rsa-2048' : family === 'ed25519' ? 'ed25519' : 'ec-p256';
}

/** True when a chain holds both EC and RSA keys (the AIO broker refuses such a client chain). */
export function mixesFamilies(families: readonly KeyFamily[]): boolean {
  return families.includes('ec') && families.includes('rsa');
}

export function mixedChainRefusal(alg: KeyAlgorithm, chainFamilies: readonly KeyFamily[], caName: string): RuleProblem | null {
  if (!mixesFamilies([familyOfAlgorithm(alg), ...chainFamilies])) return null;
  const caFamily = chainFamilies.find((f) => f === 'ec' || f === 'rsa') === 'rsa' ? 'RSA' : 'EC';
  return {
    code: 'pki.mixed-key-families',
    message: `"${caName}" is in a chain with ${caFamily} keys, and a ${familyOfAlgorithm(alg) === 'rsa' ? 'RSA' : 'EC'} key would mix EC and RSA, which the AIO broker rejects. Choose an ${caFamily} key type (the default), or allow the mixed chain explicitly.`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Batches of clients

export const MAX_BATCH = 200;

/** a, b, …, z, aa, ab, … — client42a, client42b, as the seeds name their clients. */
export function letterSuffix(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

// Letters, digits, dot, dash, underscore: valid as a CN, an MQTT username, an IoT Hub device id and a
// file name on every platform the per-device bundles land on.
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Why this is not a usable client id (it becomes the CN and the MQTT username), or null. */
export function clientIdProblem(id: string): string | null {
  if (id === '') return 'A client id is empty. Remove the empty line.';
  if (id.length > 64) return `"${id.slice(0, 20)}…" is longer than 64 characters, which a common name cannot be. Shorten it.`;
  if (!CLIENT_ID.test(id)) return `"${id}" cannot be a client id. Use letters, digits, dots, dashes and underscores, starting with a letter or digit.`;
  return null;
}

/** The ids a batch request names: explicit ids, or prefix + a, b, … (client42a, client42b). */
export function batchIds(req: { clientIds?: readonly string[] | undefined; prefix?: string | undefined; count?: number | undefined }, maxBatch = MAX_BATCH): { ids: string[]; problems: string[] } {
  const problems: string[] = [];
  const explicit = (req.clientIds ?? []).map((s) => s.trim()).filter((s) => s !== '');
  let ids: string[];
  if (explicit.length > 0) ids = explicit;
  else {
    const prefix = (req.prefix ?? '').trim();
    const count = req.count ?? 0;
    if (!prefix || !Number.isInteger(count) || count < 1) {
      return { ids: [], problems: ['Give the client ids, or a prefix and a count (e.g. "client42" and 2 for client42a and client42b).'] };
    }
    ids = Array.from({ length: Math.min(count, maxBatch + 1) }, (_, i) => prefix + letterSuffix(i));
  }
  if (ids.length > maxBatch) {
    problems.push(`At most ${maxBatch} client certificates can be made at once. Split the batch.`);
    ids = ids.slice(0, maxBatch);
  }
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) problems.push(`The client id "${id}" appears twice. Each client needs its own id.`);
    seen.add(id);
    const p = clientIdProblem(id);
    if (p) problems.push(p);
  }
  return { ids: [...seen], problems: [...new Set(problems)] };
}

// ---------------------------------------------------------------------------------------------------
// Roles

export const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** What a certificate is for, from its constraints and extended key usages (imported ones included). */
export function roleOf(cert: { isCa: boolean; selfIssued: boolean; extendedKeyUsage: readonly string[] }): CertificateRole {
  if (cert.isCa) return cert.selfIssued ? 'root' : 'intermediate';
  if (cert.extendedKeyUsage.includes(SERVER_AUTH_OID)) return 'server';
  if (cert.extendedKeyUsage.includes(CLIENT_AUTH_OID)) return 'client';
  return 'leaf';
}

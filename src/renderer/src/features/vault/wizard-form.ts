import type { CallRequest } from '@shared/contract';
import type { KeyAlgorithm } from '@shared/pki-types';
import { clientIdProblem } from '@shared/pki-rules';
import { sanChips, splitList } from './san-chips';

export type WizardProfile = 'root' | 'intermediate' | 'server' | 'client';
export type ValidityUnit = 'days' | 'hours';

/** What a wizard's fields hold while the person types. Nothing secret: no key is made before Create. */
export interface WizardForm {
  commonName: string;
  organization: string;
  country: string;
  /** The signing CA (not for root). */
  issuerId: string;
  keyAlgorithm: KeyAlgorithm;
  validityAmount: string;
  validityUnit: ValidityUnit;
  /** Server: SANs as typed (comma, space or one per line). */
  sansText: string;
  /** Client: client ids as typed (client42a, client42b). */
  clientIdsText: string;
  /** Shorten the validity to the CA's expiry instead of refusing. */
  clampToIssuer: boolean;
  /** Issue a key family other than the CA chain's, which the engine otherwise refuses. */
  allowMixedKeyFamilies?: boolean;
  /** Client: issue from a pasted or dropped device list (one id per line, or CSV) instead of the names box. */
  fromList?: boolean;
  /** Client, from a list: the list as pasted. */
  listText?: string;
  /** The profile's default the validity field started with. */
  defaultValidity?: { days: number } | { hours: number } | undefined;
}

export type WizardField = 'commonName' | 'country' | 'issuerId' | 'validity' | 'sans' | 'clientIds' | 'keyAlgorithm';
export type FieldProblems = Partial<Record<WizardField, string>>;

export const WIZARD_TITLES: Record<WizardProfile, string> = {
  root: 'New root CA',
  intermediate: 'New intermediate CA',
  server: 'New server certificate',
  client: 'New client certificates',
};

export function emptyForm(keyAlgorithm: KeyAlgorithm, validity: { days: number } | { hours: number } | undefined, issuerId = ''): WizardForm {
  const inHours = validity !== undefined && 'hours' in validity;
  return {
    commonName: '',
    organization: '',
    country: '',
    issuerId,
    keyAlgorithm,
    validityAmount: validity ? String(inHours ? validity.hours : validity.days) : '',
    validityUnit: inHours ? 'hours' : 'days',
    sansText: '',
    clientIdsText: '',
    clampToIssuer: false,
    defaultValidity: validity,
  };
}

/**
 * The validity to send, or undefined while the field still holds the profile's default: a default means
 * "up to that long, within the CA's life", so a default intermediate under a default root made a minute
 * earlier ends with the root instead of being refused; a validity the person typed is never shortened
 * unless they tick "shorten".
 */
function chosenValidity(form: WizardForm): { days: number } | { hours: number } | undefined {
  const v = parseValidity(form);
  const d = form.defaultValidity;
  if (v && d && JSON.stringify(v) === JSON.stringify(d)) return undefined;
  return v;
}

/** The validity as the contract wants it, or undefined when the field does not hold a whole number. */
export function parseValidity(form: Pick<WizardForm, 'validityAmount' | 'validityUnit'>): { days: number } | { hours: number } | undefined {
  const text = form.validityAmount.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return form.validityUnit === 'hours' ? { hours: n } : { days: n };
}

/** Switching days ↔ hours keeps the same duration (3000 days → 72000 hours); hours round up to whole days. */
export function switchUnit(amount: string, from: ValidityUnit, to: ValidityUnit): Pick<WizardForm, 'validityAmount' | 'validityUnit'> {
  if (from === to || !/^\d+$/.test(amount.trim())) return { validityAmount: amount, validityUnit: to };
  const n = Number(amount.trim());
  return { validityAmount: String(to === 'hours' ? n * 24 : Math.ceil(n / 24)), validityUnit: to };
}

/** "3000 days (about 8.2 years)", "72000 hours (3000 days)". */
export function describeValidity(v: { days: number } | { hours: number }): string {
  if ('hours' in v) {
    const days = v.hours / 24;
    const word = v.hours === 1 ? 'hour' : 'hours';
    return Number.isInteger(days) ? `${v.hours} ${word} (${days} ${days === 1 ? 'day' : 'days'})` : `${v.hours} ${word} (${days.toFixed(1)} days)`;
  }
  const word = v.days === 1 ? 'day' : 'days';
  if (v.days >= 365) return `${v.days} ${word} (about ${(v.days / 365.25).toFixed(1).replace(/\.0$/, '')} years)`;
  return `${v.days} ${word}`;
}

/** Client ids from the names box, in order; repeats are a problem, not silently merged. */
export function parseClientIds(text: string): { ids: string[]; duplicates: string[]; invalid: string[] } {
  const all = text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of all) {
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  return { ids: [...seen], duplicates, invalid: [...seen].filter((id) => clientIdProblem(id) !== null) };
}

/**
 * Checks that need no round trip, shown as the person types. The engine's preview adds the rest
 * (validity against the CA, path length, key families) and has the last word.
 */
export function localProblems(profile: WizardProfile, form: WizardForm, maxBatch = 200): FieldProblems {
  const p: FieldProblems = {};
  if (profile !== 'client') {
    const cn = form.commonName.trim();
    if (!cn) p.commonName = profile === 'server' ? 'Type a common name, e.g. "mqtts-endpoint".' : `Type a common name (CN), e.g. "${profile === 'root' ? 'AIO42 Root CA' : 'AIO42 Intermediate CA 1'}".`;
    else if (cn.length > 64) p.commonName = 'X.509 allows at most 64 characters in the common name.';
  }
  if (form.country.trim() && !/^[A-Za-z]{2}$/.test(form.country.trim())) p.country = 'The country is a two-letter code such as "NL" or "US".';
  if (profile !== 'root' && !form.issuerId) p.issuerId = 'Choose the CA that signs it.';
  const validity = parseValidity(form);
  if (!validity) p.validity = `Type the validity as a whole number of ${form.validityUnit}.`;
  else if (('days' in validity ? validity.days : validity.hours) < 1) p.validity = `The validity must be at least 1 ${form.validityUnit === 'hours' ? 'hour' : 'day'}.`;
  if (profile === 'server') {
    const bad = sanChips(form.sansText).find((c) => c.kind === 'invalid');
    if (bad?.problem) p.sans = bad.problem;
  }
  if (profile === 'client' && form.fromList) {
    if (!form.listText?.trim()) p.clientIds = 'Paste or drop the device list: one device id per line, or a CSV with a device_id column.';
  } else if (profile === 'client') {
    const { ids, duplicates, invalid } = parseClientIds(form.clientIdsText);
    if (ids.length === 0) p.clientIds = 'Type at least one client id, e.g. "client42a".';
    else if (duplicates.length > 0) p.clientIds = `"${duplicates[0]}" is listed twice. Each client needs its own id.`;
    else if (invalid.length > 0) p.clientIds = `"${invalid[0]}" cannot be a client id. Use letters, digits, dots, dashes and underscores (at most 64).`;
    else if (ids.length > maxBatch) p.clientIds = `Issue at most ${maxBatch} client certificates at once.`;
  }
  return p;
}

/**
 * Whether the wizard may say Ready and enable Create: the engine's preview for exactly this form says it
 * can issue, and no field holds what the preview could not even be asked about (a validity of "1.5" or
 * "abc" never reaches the engine, which would otherwise preview its default and say Ready).
 */
export function wizardReady(local: FieldProblems, preview: { canIssue: boolean } | undefined, fresh: boolean): boolean {
  return fresh && preview !== undefined && preview.canIssue && Object.keys(local).length === 0;
}

function subjectOf(form: WizardForm) {
  return {
    commonName: form.commonName.trim(),
    ...(form.organization.trim() ? { organization: form.organization.trim() } : {}),
    ...(form.country.trim() ? { country: form.country.trim().toUpperCase() } : {}),
  };
}

/** What pki.preview receives for a half-filled form. */
export function toPreviewRequest(profile: WizardProfile, form: WizardForm): CallRequest<'pki.preview'> {
  const validity = chosenValidity(form);
  return {
    profile,
    ...(profile !== 'client' ? { subject: subjectOf(form) } : {}),
    ...(profile !== 'root' && form.issuerId ? { issuerId: form.issuerId } : {}),
    ...(profile === 'server' ? { sans: splitList(form.sansText) } : {}),
    ...(profile === 'client' ? { clientIds: parseClientIds(form.clientIdsText).ids, ...(form.organization.trim() ? { organization: form.organization.trim() } : {}) } : {}),
    keyAlgorithm: form.keyAlgorithm,
    ...(validity ? { validity } : {}),
    ...(profile !== 'root' ? { clampToIssuer: form.clampToIssuer } : {}),
    ...(profile !== 'root' && form.allowMixedKeyFamilies ? { allowMixedKeyFamilies: true } : {}),
  };
}

/** What pki.planClientList and pki.createClientList receive for a device list. */
export function toListRequest(form: WizardForm): CallRequest<'pki.createClientList'> {
  const validity = chosenValidity(form);
  return {
    issuerId: form.issuerId,
    list: form.listText ?? '',
    keyAlgorithm: form.keyAlgorithm,
    ...(validity ? { validity } : {}),
    ...(form.organization.trim() ? { organization: form.organization.trim() } : {}),
    clampToIssuer: form.clampToIssuer,
    ...(form.allowMixedKeyFamilies ? { allowMixedKeyFamilies: true } : {}),
  };
}

export type IssueCall =
  | { name: 'pki.createRoot'; request: CallRequest<'pki.createRoot'> }
  | { name: 'pki.createIntermediate'; request: CallRequest<'pki.createIntermediate'> }
  | { name: 'pki.createServer'; request: CallRequest<'pki.createServer'> }
  | { name: 'pki.createClients'; request: CallRequest<'pki.createClients'> };

/** The create call for a form that passed validation. */
export function toIssueCall(profile: WizardProfile, form: WizardForm): IssueCall {
  const validity = chosenValidity(form);
  const common = { keyAlgorithm: form.keyAlgorithm, ...(validity ? { validity } : {}) };
  const signed = { ...common, issuerId: form.issuerId, clampToIssuer: form.clampToIssuer, ...(form.allowMixedKeyFamilies ? { allowMixedKeyFamilies: true } : {}) };
  switch (profile) {
    case 'root':
      return { name: 'pki.createRoot', request: { subject: subjectOf(form), ...common } };
    case 'intermediate':
      return { name: 'pki.createIntermediate', request: { subject: subjectOf(form), ...signed } };
    case 'server':
      return { name: 'pki.createServer', request: { subject: subjectOf(form), sans: splitList(form.sansText), ...signed } };
    case 'client':
      return {
        name: 'pki.createClients',
        request: { clientIds: parseClientIds(form.clientIdsText).ids, ...(form.organization.trim() ? { organization: form.organization.trim() } : {}), ...signed },
      };
  }
}

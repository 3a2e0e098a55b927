import { FieldbenchError } from '@shared/errors';
import { checkValidity, classifySan as classifySanRule, classifySanList } from '@shared/pki-rules';
import type { SanType, SubjectAltName, ValidityInput } from '@shared/pki-types';

// The profile rules themselves live in src/shared/pki-rules.ts (the wizards apply the same ones); this
// module turns their verdicts into the engine's errors.
export {
  DEFAULT_VALIDITY,
  EXPIRING_WITHIN_DAYS,
  INTERMEDIATE_PATH_LENGTH,
  MAX_VALIDITY_DAYS,
  NOT_BEFORE_BACKDATE_MS,
  ROOT_PATH_LENGTH,
  describeValidityInput as describeValidity,
} from '@shared/pki-rules';

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
  const v = checkValidity(validity);
  if (!v.ok) throw new FieldbenchError(v.code, v.message);
  return v.ms;
}

/** The shared SAN rule, throwing its sentence as a 'pki.bad-san' error. */
export function classifySan(raw: string): SubjectAltName {
  const v = classifySanRule(raw);
  if (!v.ok) throw new FieldbenchError('pki.bad-san', v.problem);
  return v.san;
}

export function classifySans(values: readonly string[]): SubjectAltName[] {
  const { sans, problems } = classifySanList(values);
  if (problems[0]) throw new FieldbenchError('pki.bad-san', problems[0].problem);
  return sans;
}

export const sanTypeLabel: Record<SanType, string> = { dns: 'DNS', ip: 'IP Address', email: 'email', uri: 'URI', other: 'othername' };

import { COMMON_PASSWORDS } from './common-passwords';

/** The vault refuses shorter master passwords (vault.weakPassword); the hint says so before the round trip. */
export const MIN_PASSWORD_LENGTH = 8;

export type StrengthLevel = 'empty' | 'too-short' | 'weak' | 'fair' | 'strong' | 'very-strong';

export interface PasswordStrength {
  level: StrengthLevel;
  /** 0..4 for the meter. */
  score: number;
  /** One word or two for the meter ("Weak"). */
  label: string;
  /** What would make it better, or why it is fine, in a sentence. */
  advice: string;
  /** Whether the vault will accept it at all. */
  acceptable: boolean;
}

const LABELS: Record<StrengthLevel, string> = {
  empty: '',
  'too-short': 'Too short',
  weak: 'Weak',
  fair: 'Fair',
  strong: 'Strong',
  'very-strong': 'Very strong',
};

function characterClasses(pw: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length;
}

/** A common password with a digit or symbol tacked on ("Password1!") is still a common password. */
function isCommon(pw: string): boolean {
  const lower = pw.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  const stripped = lower.replace(/[^a-z]+$/, '').replace(/^[^a-z]+/, '');
  return stripped.length >= 4 && COMMON_PASSWORDS.has(stripped);
}

function isRepetitive(pw: string): boolean {
  if (new Set(pw).size <= 2) return true;
  // "abcabcabc", "12121212": a short unit repeated.
  for (let unit = 1; unit <= pw.length / 2; unit++) {
    if (pw.length % unit === 0 && pw.slice(0, unit).repeat(pw.length / unit) === pw) return true;
  }
  return false;
}

/**
 * A local, cheap estimate for the first-run form: length counts most (a sentence beats a short tangle),
 * character classes help a little, a common or repetitive password is weak whatever its length.
 */
export function passwordStrength(pw: string): PasswordStrength {
  const make = (level: StrengthLevel, score: number, advice: string): PasswordStrength => ({ level, score, label: LABELS[level], advice, acceptable: pw.length >= MIN_PASSWORD_LENGTH });
  if (pw.length === 0) return make('empty', 0, `At least ${MIN_PASSWORD_LENGTH} characters; a short sentence is easiest to remember.`);
  if (pw.length < MIN_PASSWORD_LENGTH) return make('too-short', 0, `Use at least ${MIN_PASSWORD_LENGTH} characters (${MIN_PASSWORD_LENGTH - pw.length} more); a short sentence is easiest to remember.`);
  if (isCommon(pw)) return make('weak', 1, 'This is one of the first passwords an attacker tries. Choose something personal, like a short sentence.');
  if (isRepetitive(pw)) return make('weak', 1, 'Repeated characters are easy to guess. Use several unrelated words instead.');
  const classes = characterClasses(pw);
  let points = pw.length >= 20 ? 4 : pw.length >= 14 ? 3 : pw.length >= 10 ? 2 : 1;
  if (classes >= 3) points += 1;
  if (classes === 1 && pw.length < 14) points -= 1;
  const score = Math.max(1, Math.min(4, points));
  if (score <= 1) return make('weak', 1, 'Make it longer: add a word or two, or mix in digits and symbols.');
  if (score === 2) return make('fair', 2, 'Acceptable. A few more characters would make it much harder to guess.');
  if (score === 3) return make('strong', 3, 'Good. Keep it somewhere safe: a forgotten master password cannot be recovered.');
  return make('very-strong', 4, 'Excellent. Keep it somewhere safe: a forgotten master password cannot be recovered.');
}

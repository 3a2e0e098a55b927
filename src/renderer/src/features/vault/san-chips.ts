import { classifySan as classifySanRule, splitSanText } from '@shared/pki-rules';

/** How a SAN entry will be encoded: the engine's own rule from src/shared/pki-rules.ts, as chips. */
export type SanKind = 'ip' | 'dns' | 'email' | 'uri' | 'invalid';

export interface SanChip {
  value: string;
  kind: SanKind;
  /** For 'invalid': what is wrong, in a sentence. */
  problem?: string;
}

/** Types one SAN as the technician types it, with the engine's rule (IP, '@' e-mail, scheme URI, else DNS). */
export function classifySan(raw: string): SanChip {
  const v = classifySanRule(raw);
  if (!v.ok) return { value: v.value, kind: 'invalid', problem: v.problem };
  return { value: v.san.value, kind: v.san.type === 'other' ? 'dns' : v.san.type };
}

/** Splits what was typed or pasted (commas, spaces, new lines) into SAN entries, keeping the order and dropping repeats. */
export function splitList(text: string): string[] {
  const seen = new Set<string>();
  return splitSanText(text).filter((v) => {
    const key = v.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function sanChips(text: string): SanChip[] {
  return splitList(text).map(classifySan);
}

export const SAN_KIND_LABEL: Record<SanKind, string> = { ip: 'IP', dns: 'DNS', email: 'Email', uri: 'URI', invalid: 'Invalid' };

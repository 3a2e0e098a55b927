import { createHash } from 'node:crypto';

export interface CrashSection {
  n: number;
  payload: string;
}

/** Content that depends on n in length and bytes, so a torn or mixed save could never pass for a real one. */
export function crashPayload(n: number): string {
  const unit = createHash('sha256').update(String(n)).digest('hex');
  return unit.repeat(20 + ((n * 37) % 200));
}

import { createInterface } from 'node:readline';
import type { CliIO } from './cli-command';

/** True when stdin is a terminal, so a question can be asked; scripts get their answers from flags. */
export function canAsk(io: CliIO): boolean {
  return (io.stdin as NodeJS.ReadStream).isTTY === true;
}

/** Asks a yes/no question on the terminal; false without one (a script never trusts by default). */
export async function confirm(io: CliIO, question: string): Promise<boolean> {
  if (!canAsk(io)) return false;
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  const answer = await new Promise<string>((r) => rl.question(question, r));
  rl.close();
  return /^(y|yes)$/i.test(answer.trim());
}

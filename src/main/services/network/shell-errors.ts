import { FieldbenchError } from '@shared/errors';

type ShellErrorKind = 'noSudo' | 'sudoRefused' | 'sudoPasswordNeeded' | 'connectionDropped' | 'connectFailed' | 'hostKeyChanged';

/**
 * True when the error is that kind of shell failure, whether the shell is the network area's own ssh2
 * shell ('network.*') or the edge area's connection ('edge.*', where an unreachable node is 'edge.unreachable').
 */
export function isShellError(err: unknown, kind: ShellErrorKind): boolean {
  if (!(err instanceof FieldbenchError)) return false;
  const names = kind === 'connectFailed' ? ['connectFailed', 'unreachable'] : [kind];
  return names.some((n) => err.code === `network.${n}` || err.code === `edge.${n}`);
}

export function isSudoError(err: unknown): boolean {
  return isShellError(err, 'noSudo') || isShellError(err, 'sudoRefused') || isShellError(err, 'sudoPasswordNeeded');
}

export type DiffLineKind = 'added' | 'removed' | 'hunk' | 'header' | 'context';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

/** Splits a unified diff into lines a viewer can colour (and mark with +/− for those who cannot see colour). */
export function diffLines(diff: string): DiffLine[] {
  if (diff.trim() === '') return [];
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map((text) => {
      if (text.startsWith('+++') || text.startsWith('---') || text.startsWith('Index:') || text.startsWith('====')) return { kind: 'header', text };
      if (text.startsWith('@@')) return { kind: 'hunk', text };
      if (text.startsWith('+')) return { kind: 'added', text };
      if (text.startsWith('-')) return { kind: 'removed', text };
      return { kind: 'context', text };
    });
}

/** "3 added, 1 removed" for a resource's tab and the screen reader. */
export function diffStats(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.kind === 'added') added += 1;
    else if (l.kind === 'removed') removed += 1;
  }
  return { added, removed };
}

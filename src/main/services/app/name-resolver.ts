import { FieldbenchError } from '@shared/errors';

/** How one kind of thing (certificates, nodes, saved connections) is named and listed to a person. */
export interface NameKind<T extends { id: string }> {
  /** "certificate", "node", "saved MQTT connection"; they all live in the vault. */
  singular: string;
  plural: string;
  /** The command that lists them: "`fieldbench pki list`". */
  listHint: string;
  name(item: T): string;
  /** One line that tells two equally named things apart (role, expiry, address). */
  detail(item: T): string;
}

/** Exit code 2 in the CLI: the person has to say which one, nothing failed. */
export const AMBIGUOUS_NAME = 'ref.ambiguous';

/** Shorter id starts match too many things by chance (ids are random hex). */
const MIN_ID_START = 4;

/**
 * The one way a person's reference becomes a thing, for every kind: an exact id, then the exact name,
 * then the name ignoring case, then a unique start of an id. A renewed certificate keeps its name and two
 * sites may both have a "broker" node, so more than one match is refused with every candidate's id
 * rather than picking one — issuing from the wrong CA or probing the wrong node is worse than a question.
 */
export function resolveByName<T extends { id: string }>(items: readonly T[], ref: string, kind: NameKind<T>): T {
  const byId = items.find((t) => t.id === ref);
  if (byId) return byId;
  const lower = ref.toLowerCase();
  const tiers: [T[], string][] = [
    [items.filter((t) => kind.name(t) === ref), 'are called'],
    [items.filter((t) => kind.name(t).toLowerCase() === lower), 'are called'],
    [lower.length >= MIN_ID_START ? items.filter((t) => t.id.toLowerCase().startsWith(lower)) : [], 'have an id starting with'],
  ];
  for (const [found, how] of tiers) {
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      const options = found.map((t) => `  ${t.id}  ${kind.name(t)}  (${kind.detail(t)})`).join('\n');
      throw new FieldbenchError(AMBIGUOUS_NAME, `${found.length} ${kind.plural} ${how} "${ref}": use one of these ids:\n${options}`);
    }
  }
  const searched = items.length === 0 ? `There are no ${kind.plural} there yet` : `Fieldbench looked at the names and ids of ${items.length === 1 ? `the one ${kind.singular}` : `all ${items.length} ${kind.plural}`}`;
  throw new FieldbenchError('ref.notFound', `There is no ${kind.singular} called "${ref}" in the vault. ${searched}; see ${kind.listHint}.`);
}

import { ACTIVITY_LIMIT, type NodeStore, type StoredActivity } from './node-store';

export type ActivityEntry = StoredActivity;

/** What any area records about a node: which area, a short kind, a sentence, and whether it worked. */
export interface ActivityInput {
  area: string;
  kind: string;
  message: string;
  ok: boolean;
}

/**
 * Each node's activity log, kept in the vault with its profile. The one place an entry is written: the
 * edge service, the other areas' flows (src/main/workflows) and the CLI all come through here.
 */
export class ActivityLog {
  constructor(
    private readonly store: NodeStore,
    private readonly now: () => Date,
    private readonly onActivity?: (entry: ActivityEntry) => void,
  ) {}

  /** Appends to the node's log (the oldest roll off past ACTIVITY_LIMIT) and tells listeners. */
  async record(nodeId: string, entry: ActivityInput): Promise<ActivityEntry> {
    const node = this.store.get(nodeId);
    const full: ActivityEntry = { at: this.now().toISOString(), nodeId, nodeName: node.name, ...entry };
    await this.store.update((d) => {
      const log = (d.activity[nodeId] ??= []);
      log.push(full);
      if (log.length > ACTIVITY_LIMIT) log.splice(0, log.length - ACTIVITY_LIMIT);
    });
    this.onActivity?.(full);
    return full;
  }

  /** Tells listeners about the last entry of a node whose log went with it (its removal). */
  announceRemoval(nodeId: string, nodeName: string): void {
    this.onActivity?.({ at: this.now().toISOString(), nodeId, nodeName, area: 'edge', kind: 'removed', message: `Removed ${nodeName}.`, ok: true });
  }

  /** The node's activity, newest last. */
  list(nodeId: string, limit = 200): ActivityEntry[] {
    this.store.get(nodeId);
    return this.store.activity(nodeId).slice(-limit);
  }
}

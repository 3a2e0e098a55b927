import type { MqttClient } from 'mqtt';
import type { ErrorInfo } from '@shared/errors';
import type { SubscriptionSummaryT } from '@shared/contract/mqtt-contract';
import { reasonName } from './mqtt-properties';
import { topicMatches } from './mqtt-topics';

// A connection's subscriptions: kept across reconnects, each with a stable small index the message store
// records per message (so the list can colour and filter by subscription) and a count of what it matched.

type Qos = 0 | 1 | 2;

/** Colours handed to subscriptions that did not choose one, in order. */
export const SUBSCRIPTION_COLOURS = ['#2f80ed', '#27ae60', '#eb5757', '#f2994a', '#9b51e0', '#00a3a3', '#d6336c', '#8d6e63'];

export interface Subscription {
  id: string;
  index: number;
  filter: string;
  qos: Qos;
  color: string;
  state: SubscriptionSummaryT['state'];
  grantedQos?: Qos | undefined;
  error?: ErrorInfo | undefined;
  options: { nl?: boolean; rap?: boolean; rh?: number };
}

export class SubscriptionSet {
  private readonly subs = new Map<string, Subscription>();
  private readonly byIndex: (Subscription | undefined)[] = [];
  private readonly counts: number[] = [];
  private nextIndex = 0;

  /** `onMatcher` gets a new topic → subscription-index function whenever the set changes. */
  constructor(private readonly onMatcher: (match: (topic: string) => number) => void) {}

  /** Adds a subscription, or updates the one with the same filter; either way it is pending again. */
  add(filter: string, qos: Qos, color: string | undefined, options: Subscription['options']): Subscription {
    const existing = [...this.subs.values()].find((s) => s.filter === filter);
    if (existing) {
      existing.qos = qos;
      if (color) existing.color = color;
      existing.options = options;
      existing.state = 'pending';
      existing.error = undefined;
      return existing;
    }
    const index = this.nextIndex++;
    const sub: Subscription = {
      id: `s${index + 1}`,
      index,
      filter,
      qos,
      color: color ?? SUBSCRIPTION_COLOURS[index % SUBSCRIPTION_COLOURS.length]!,
      state: 'pending',
      options,
    };
    this.subs.set(sub.id, sub);
    this.byIndex[index] = sub;
    this.counts[index] = 0;
    this.refreshMatcher();
    return sub;
  }

  remove(id: string): Subscription | undefined {
    const sub = this.subs.get(id);
    if (!sub) return undefined;
    this.subs.delete(id);
    this.byIndex[sub.index] = undefined;
    this.refreshMatcher();
    return sub;
  }

  values(): Subscription[] {
    return [...this.subs.values()];
  }

  idOf(index: number): string | undefined {
    return this.byIndex[index]?.id;
  }

  colourOf(index: number): string | undefined {
    return this.byIndex[index]?.color;
  }

  indexOf(id: string): number | undefined {
    return this.subs.get(id)?.index;
  }

  /** One message matched subscription `index` (-1: none). */
  counted(index: number): void {
    if (index >= 0) this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  /** The connection was lost: what was active has to be confirmed again. */
  markPending(): void {
    for (const s of this.subs.values()) if (s.state === 'active') s.state = 'pending';
  }

  /** Sends SUBSCRIBE and records the SUBACK; a refusal becomes a sentence on the subscription. */
  send(client: MqttClient, sub: Subscription): Promise<void> {
    return new Promise((resolve) => {
      client.subscribe(sub.filter, { qos: sub.qos, ...sub.options } as Parameters<MqttClient['subscribe']>[1], (err, granted) => {
        const g = granted?.[0];
        const code = err ? ((err as { code?: number }).code ?? 128) : g?.qos;
        if (err || code === undefined || code >= 128) {
          sub.state = 'refused';
          const rc = typeof code === 'number' ? code : 128;
          const name = reasonName(rc);
          sub.error = {
            code: 'mqtt.subscribeRefused',
            message: `The broker refused the subscription to "${sub.filter}" (reason ${rc}${name ? `, ${name}` : ''}). ${rc === 135 ? "The listener's authorization policy does not allow this client to subscribe to it." : 'Check the filter and the broker\'s policy.'}`,
          };
        } else {
          sub.state = 'active';
          sub.grantedQos = code as Qos;
          sub.error = undefined;
        }
        resolve();
      });
    });
  }

  summary(s: Subscription): SubscriptionSummaryT {
    return {
      id: s.id,
      filter: s.filter,
      qos: s.qos,
      ...(s.grantedQos !== undefined ? { grantedQos: s.grantedQos } : {}),
      color: s.color,
      state: s.state,
      messageCount: this.counts[s.index] ?? 0,
      ...(s.error ? { error: s.error } : {}),
    };
  }

  private refreshMatcher(): void {
    const list = [...this.subs.values()];
    this.onMatcher((topic) => list.find((s) => topicMatches(s.filter, topic))?.index ?? -1);
  }
}

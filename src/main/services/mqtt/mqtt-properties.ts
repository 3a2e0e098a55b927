import type { IPublishPacket, MqttClient } from 'mqtt';
import type { PublishPropertiesT, ReceivedPropertiesT } from '@shared/contract/mqtt-contract';

// MQTT 5 properties and reason codes between the contract's shapes and mqtt.js's.

type MqttPublishProperties = NonNullable<NonNullable<Parameters<MqttClient['publish']>[2]>['properties']>;

const REASON_NAMES: Record<number, string> = {
  128: 'unspecified error',
  131: 'implementation specific error',
  135: 'not authorized',
  143: 'topic filter invalid',
  144: 'topic name invalid',
  145: 'packet identifier in use',
  151: 'quota exceeded',
  153: 'payload format invalid',
  158: 'shared subscriptions not supported',
  161: 'subscription identifiers not supported',
  162: 'wildcard subscriptions not supported',
};

/** The MQTT 5 name of a reason code (section 2.4), or undefined for one without a name here. */
export function reasonName(rc: number): string | undefined {
  return REASON_NAMES[rc];
}

export function hasAny(p: PublishPropertiesT): boolean {
  return Object.values(p).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
}

export function toUserProperties(list: { key: string; value: string }[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const { key, value } of list) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export function toPublishProperties(p: PublishPropertiesT): MqttPublishProperties {
  const out: MqttPublishProperties = {};
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.correlationDataHex !== undefined) out.correlationData = Buffer.from(p.correlationDataHex, 'hex');
  if (p.messageExpirySeconds !== undefined) out.messageExpiryInterval = p.messageExpirySeconds;
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.userProperties?.length) out.userProperties = toUserProperties(p.userProperties);
  return out;
}

export function toReceivedProperties(p: NonNullable<IPublishPacket['properties']>): ReceivedPropertiesT | undefined {
  const out: ReceivedPropertiesT = {};
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) out.correlationDataHex = Buffer.from(p.correlationData).toString('hex');
  if (p.messageExpiryInterval !== undefined) out.messageExpirySeconds = p.messageExpiryInterval;
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.userProperties) {
    out.userProperties = Object.entries(p.userProperties).flatMap(([key, v]) => (Array.isArray(v) ? v.map((value) => ({ key, value: String(value) })) : [{ key, value: String(v) }]));
  }
  if (p.subscriptionIdentifier !== undefined) out.subscriptionIdentifiers = Array.isArray(p.subscriptionIdentifier) ? p.subscriptionIdentifier : [p.subscriptionIdentifier];
  return Object.keys(out).length > 0 ? out : undefined;
}

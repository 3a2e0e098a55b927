import { FieldbenchError } from '@shared/errors';
import type { DecodedPayloadT, DecoderRuleT } from '@shared/contract/mqtt-contract';
import { assertTopicFilter, topicMatches } from './mqtt-topics';
import { autoDecoder, decodeWith, SparkplugDecoder, type ConcreteDecoder, type DecodeContext, type ProtoCache } from './payload-decoders';

/**
 * The decoders of one connection: rules by topic filter (first match wins, as a person reads the list),
 * with Sparkplug B recognised on spBv1.0/# and JSON/text/hex guessed for the rest when no rule matches.
 */
export class DecoderRules {
  private rules: DecoderRuleT[] = [];
  private readonly sparkplug = new SparkplugDecoder();

  constructor(private readonly protos: ProtoCache) {}

  list(): DecoderRuleT[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Replaces the rules; refuses a bad filter, or a protobuf rule whose file or message type cannot be used. */
  set(rules: DecoderRuleT[]): DecoderRuleT[] {
    for (const r of rules) {
      assertTopicFilter(r.filter);
      if (r.decoder !== 'protobuf') continue;
      const { types } = this.protos.load(r.protoFile!);
      if (!types.includes(r.messageType!)) {
        throw new FieldbenchError(
          'mqtt.protoNoType',
          `The .proto file ${r.protoFile} has no message type ${r.messageType}. Pick one of: ${types.slice(0, 20).join(', ')}${types.length > 20 ? '…' : ''}.`,
        );
      }
    }
    this.rules = rules.map((r) => ({ ...r }));
    return this.list();
  }

  /** The payload decoded as the rules say; `latestOf` finds the births Sparkplug aliases refer to. */
  decode(topic: string, payload: Uint8Array, latestOf: DecodeContext['latestOf']): DecodedPayloadT {
    const rule = this.rules.find((r) => topicMatches(r.filter, topic));
    const decoder: ConcreteDecoder = !rule || rule.decoder === 'auto' ? autoDecoder(topic, payload) : rule.decoder;
    const chosenBy = rule && rule.decoder !== 'auto' ? rule.filter : 'auto';
    const ctx: DecodeContext = { topic, protos: this.protos, protoFile: rule?.protoFile, messageType: rule?.messageType };
    if (latestOf) ctx.latestOf = latestOf;
    return decodeWith(decoder, payload, ctx, chosenBy, this.sparkplug);
  }
}

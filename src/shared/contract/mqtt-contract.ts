import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { FilePath, Id, Secret } from './primitives';

// The MQTT workbench: connection profiles in the vault, clients that live in main, and a bounded message
// store the renderer reads in batches and pages. Passwords, SAT tokens and private keys go in (saved to the
// vault) but never come back: summaries say only whether one is set.

const Qos = z.union([z.literal(0), z.literal(1), z.literal(2)]);
/** MQTT topics and filters are at most 65,535 UTF-8 bytes; the services say which rule a topic breaks. */
const TopicText = z.string().max(70_000);

export const MqttProtocol = z.enum(['mqtt', 'mqtts', 'ws', 'wss']);
export const MqttVersion = z.enum(['3.1.1', '5.0']);
export const PayloadFormat = z.enum(['text', 'json', 'hex', 'base64']);

/**
 * Longest payload text, in characters. Written as JSON it can grow to 6 bytes a character (`\u0001`), so
 * 8 Mi characters stay below the loopback host's 64 MiB message limit (WS_MAX_MESSAGE_BYTES).
 */
export const MQTT_MAX_PAYLOAD_CHARS = 8 * 1024 * 1024;
/** Longest connections export accepted by mqtt.importConnections; same reasoning as the payload. */
export const MQTT_MAX_IMPORT_CHARS = 8 * 1024 * 1024;

/** A payload as the person typed it; `json` is checked for validity before sending. */
export const PayloadInput = z
  .object({
    format: PayloadFormat.default('text'),
    value: z.string().max(MQTT_MAX_PAYLOAD_CHARS, 'A payload can be at most 8 Mi characters (8,388,608) so that it fits in one message to Fieldbench; send larger data as a file with mosquitto_pub.'),
  })
  .strict();

export const UserProperty = z.object({ key: z.string().min(1).max(1024), value: z.string().max(65_535) }).strict();

/** MQTT 5 publish properties; ignored (and reported as ignored) on 3.1.1 connections. */
export const PublishProperties = z
  .object({
    contentType: z.string().max(1024).optional(),
    responseTopic: TopicText.optional(),
    /** Correlation data as hex, so binary ids survive JSON. */
    correlationDataHex: z.string().regex(/^([0-9a-fA-F]{2})*$/, 'Give correlation data as hex pairs.').max(131_070).optional(),
    messageExpirySeconds: z.number().int().min(0).max(4_294_967_295).optional(),
    payloadFormatIndicator: z.boolean().optional(),
    userProperties: z.array(UserProperty).max(100).optional(),
  })
  .strict();

/** Where the CA the server certificate must chain to comes from. */
export const CaSource = z.discriminatedUnion('source', [
  /** Node's built-in public roots (for brokers with a publicly trusted certificate). */
  z.object({ source: z.literal('system') }).strict(),
  /** A CA certificate in the vault (root, or an intermediate whose root is in the vault too). */
  z.object({ source: z.literal('vault'), certificateId: Id }).strict(),
  /** A PEM file on this machine, e.g. the cluster's trust bundle saved by the edge area. */
  z.object({ source: z.literal('file'), path: FilePath }).strict(),
]);

/** The client certificate for X.509 authentication; the leaf and its intermediates are sent. */
export const ClientCertificateSource = z.discriminatedUnion('source', [
  z.object({ source: z.literal('vault'), certificateId: Id }).strict(),
  /** Files (as MQTTX keeps them); the certificate file should hold leaf + intermediates. */
  z.object({ source: z.literal('file'), certPath: FilePath, keyPath: FilePath }).strict(),
]);

export const TlsSettings = z
  .object({
    ca: CaSource.default({ source: 'system' }),
    clientCertificate: ClientCertificateSource.optional(),
    /** On unless explicitly set to false: a technician turning it off sees a warning on the connection. */
    verifyServer: z.boolean().default(true),
    /** SNI and the name checked against the certificate, when the host is an IP or a tunnel address. */
    servername: z.string().min(1).max(253).optional(),
    alpn: z.array(z.string().min(1).max(255)).max(8).optional(),
  })
  .strict();

/** Where a Kubernetes service account token for MQTT 5 enhanced auth (K8S-SAT) comes from. */
export const SatTokenSource = z.discriminatedUnion('source', [
  /** A token file (as mounted in a pod, or saved from `kubectl create token`), read at every connect. */
  z.object({ source: z.literal('file'), path: FilePath }).strict(),
  /** A token kept in the vault with the profile (set with saveProfile's satToken). */
  z.object({ source: z.literal('vault') }).strict(),
  /** Minted at connect time through the node's Kubernetes TokenRequest (edge area). */
  z
    .object({
      source: z.literal('tokenRequest'),
      nodeId: Id,
      serviceAccount: z.string().min(1).max(253).default('default'),
      namespace: z.string().min(1).max(63).default('azure-iot-operations'),
      audience: z.string().min(1).max(253).default('aio-internal'),
    })
    .strict(),
]);

export const MqttAuth = z.discriminatedUnion('method', [
  /** No enhanced auth; username/password still apply when set. */
  z.object({ method: z.literal('none') }).strict(),
  z.object({ method: z.literal('K8S-SAT'), token: SatTokenSource }).strict(),
]);

export const WillInput = z
  .object({
    topic: TopicText,
    payload: PayloadInput,
    qos: Qos.default(0),
    retain: z.boolean().default(false),
    properties: PublishProperties.optional(),
    /** MQTT 5 will delay interval. */
    delaySeconds: z.number().int().min(0).max(4_294_967_295).optional(),
  })
  .strict();

export const StoreLimits = z
  .object({
    /** Messages kept in memory per connection; the oldest go first. */
    maxMessages: z.number().int().min(100).max(5_000_000).default(1_000_000),
    /** Payload bytes kept in memory per connection. */
    maxBytes: z.number().int().min(1024 * 1024).max(4 * 1024 * 1024 * 1024).default(384 * 1024 * 1024),
    /** Append messages that leave memory to a file in the data folder instead of only counting them. */
    spillToDisk: z.boolean().default(false),
  })
  .strict();

export const ReconnectSettings = z
  .object({
    enabled: z.boolean().default(true),
    minDelayMs: z.number().int().min(100).max(60_000).default(500),
    maxDelayMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict();

/** A connection profile as the form edits it. Secrets are set separately and never read back. */
export const MqttProfileInput = z
  .object({
    id: Id.optional(),
    name: z.string().min(1, 'Give the connection a name.').max(200),
    protocol: MqttProtocol.default('mqtt'),
    host: z.string().min(1, 'Enter the broker host or IP.').max(253),
    port: z.number().int().min(1).max(65_535),
    /** Path of the WebSocket endpoint (ws/wss only). */
    path: z.string().max(1024).default('/mqtt'),
    mqttVersion: MqttVersion.default('5.0'),
    /** Empty → a random `fieldbench-xxxxxxxx` id at each connect. */
    clientId: z.string().max(65_535).default(''),
    cleanStart: z.boolean().default(true),
    keepaliveSeconds: z.number().int().min(0).max(65_535).default(60),
    /** MQTT 5 session expiry interval; 0 ends the session with the connection. */
    sessionExpirySeconds: z.number().int().min(0).max(4_294_967_295).default(0),
    connectTimeoutSeconds: z.number().int().min(1).max(300).default(10),
    username: z.string().max(65_535).optional(),
    tls: TlsSettings.optional(),
    auth: MqttAuth.default({ method: 'none' }),
    will: WillInput.optional(),
    /** MQTT 5 user properties sent in CONNECT. */
    userProperties: z.array(UserProperty).max(100).optional(),
    reconnect: ReconnectSettings.default({ enabled: true, minDelayMs: 500, maxDelayMs: 30_000 }),
    store: StoreLimits.default({ maxMessages: 1_000_000, maxBytes: 384 * 1024 * 1024, spillToDisk: false }),
    /** Subscriptions made on every connect (the profile's saved subscriptions). */
    subscriptions: z
      .array(z.object({ filter: TopicText, qos: Qos.default(0), color: z.string().max(32).optional() }).strict())
      .max(200)
      .default([]),
  })
  .strict();

/** What the UI lists: the profile without its secrets, plus which secrets are set. */
export const MqttProfileSummary = MqttProfileInput.extend({
  id: Id,
  hasPassword: z.boolean(),
  hasSatToken: z.boolean(),
  /** True when TLS is used with server verification switched off. */
  insecure: z.boolean(),
  /** mqtt://host:port style address for lists. */
  url: z.string(),
  updatedAt: z.string(),
});

export const ConnectionState = z.enum(['connecting', 'connected', 'reconnecting', 'disconnected', 'failed']);

export const ErrorSummary = z.object({ code: z.string(), message: z.string(), detail: z.string().optional() });

export const SubscriptionSummary = z.object({
  id: z.string(),
  filter: z.string(),
  qos: Qos,
  /** QoS granted by the broker in SUBACK (absent until acknowledged). */
  grantedQos: Qos.optional(),
  color: z.string(),
  state: z.enum(['pending', 'active', 'refused']),
  /** Messages received that matched this subscription first. */
  messageCount: z.number().int(),
  error: ErrorSummary.optional(),
});

export const MessageStats = z.object({
  /** Everything that arrived since the connection was opened or cleared. */
  received: z.number().int(),
  /** Held in memory now (pageable). */
  retained: z.number().int(),
  retainedBytes: z.number().int(),
  /** Oldest messages removed from memory to stay within the limits; counted, never silent. */
  dropped: z.number().int(),
  /** Of the dropped, how many were written to the spill file first. */
  spilled: z.number().int(),
  /** Messages received over the last second. */
  ratePerSecond: z.number(),
  /** Distinct topics seen. */
  topics: z.number().int(),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  limits: z.object({ maxMessages: z.number().int(), maxBytes: z.number().int() }),
  spillFile: z.string().optional(),
});

export const ConnectionSummary = z.object({
  connectionId: z.string(),
  profileId: z.string().optional(),
  name: z.string(),
  url: z.string(),
  mqttVersion: MqttVersion,
  clientId: z.string(),
  state: ConnectionState,
  /** Reconnect attempt number while reconnecting. */
  attempt: z.number().int(),
  nextRetryInMs: z.number().int().optional(),
  /** Why the last attempt failed, written for a person. */
  lastError: ErrorSummary.optional(),
  connectedAt: z.string().optional(),
  sessionPresent: z.boolean().optional(),
  insecure: z.boolean(),
  warnings: z.array(z.string()),
  subscriptions: z.array(SubscriptionSummary),
  stats: MessageStats,
});

export const PayloadPreview = z.object({
  /** Text (or JSON) as UTF-8, or hex for binary, cut to the preview size. */
  text: z.string(),
  kind: z.enum(['text', 'json', 'binary', 'empty']),
  /** True when `text` is cut; the UI shows the marker and fetches the whole payload with mqtt.message. */
  truncated: z.boolean(),
});

export const ReceivedProperties = z.object({
  contentType: z.string().optional(),
  responseTopic: z.string().optional(),
  correlationDataHex: z.string().optional(),
  messageExpirySeconds: z.number().int().optional(),
  payloadFormatIndicator: z.boolean().optional(),
  userProperties: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
  subscriptionIdentifiers: z.array(z.number().int()).optional(),
});

export const MessagePreview = z.object({
  seq: z.number().int(),
  /** Milliseconds since the epoch, when main received it. */
  receivedAt: z.number(),
  topic: z.string(),
  qos: Qos,
  retain: z.boolean(),
  /** Payload size in bytes (the whole payload, not the preview). */
  size: z.number().int(),
  payload: PayloadPreview,
  subscriptionId: z.string().optional(),
  color: z.string().optional(),
  /** $SYS/… or azedge/dmqtt/selftest/…: broker housekeeping rather than application data. */
  system: z.boolean(),
  properties: ReceivedProperties.optional(),
});

export const MessageFilter = z
  .object({
    /** An MQTT filter (wildcards allowed) the topic must match. */
    topic: TopicText.optional(),
    /** Case-insensitive text found in the topic or the payload. */
    text: z.string().min(1).max(1024).optional(),
    subscriptionId: z.string().max(100).optional(),
  })
  .strict();

export const TopicNode = z.object({
  /** Full topic of this level ("factory/line1"). */
  topic: z.string(),
  /** This level's name ("line1"). */
  name: z.string(),
  /** Messages received on exactly this topic. */
  count: z.number().int(),
  /** Messages received on this topic and below. */
  totalCount: z.number().int(),
  childCount: z.number().int(),
  system: z.boolean(),
  latest: z
    .object({ receivedAt: z.number(), size: z.number().int(), retain: z.boolean(), qos: Qos, payload: PayloadPreview })
    .optional(),
  /** Present down to the requested depth. */
  get children() {
    return z.array(TopicNode).optional();
  },
});

export const TopicCheck = z.object({
  valid: z.boolean(),
  /** Which rule of the MQTT spec the topic breaks (for the field's inline hint). */
  rule: z.string().optional(),
  message: z.string().optional(),
});

/** How payloads are read: `auto` is JSON when it parses, text when UTF-8, else hex, and Sparkplug B on spBv1.0/#. */
export const DecoderKind = z.enum(['auto', 'json', 'text', 'hex', 'base64', 'cbor', 'sparkplug', 'protobuf']);

/** One rule: messages whose topic matches `filter` are decoded with `decoder` (the first matching rule wins). */
export const DecoderRule = z
  .object({
    filter: TopicText,
    decoder: DecoderKind,
    /** For `protobuf`: the .proto file the person chose (read by main) and the message type in it. */
    protoFile: FilePath.optional(),
    messageType: z.string().min(1).max(1024).optional(),
  })
  .strict()
  .refine((r) => r.decoder !== 'protobuf' || (r.protoFile !== undefined && r.messageType !== undefined), 'A protobuf decoder needs a .proto file and a message type.');

export const SparkplugMetric = z.object({
  /** The metric's name; for alias-only data messages, the name its NBIRTH/DBIRTH gave the alias. */
  name: z.string().optional(),
  alias: z.number().int().optional(),
  /** Sparkplug datatype name (Int32, Double, Boolean, String…), from the message or from the birth. */
  datatype: z.string().optional(),
  /** The value as JSON: 64-bit integers beyond 2^53 as decimal strings, bytes as hex. */
  value: z.unknown(),
  timestamp: z.number().optional(),
  isNull: z.boolean().optional(),
  /** Where name/datatype came from when the message carried only the alias. */
  fromBirth: z.boolean().optional(),
});

export const SparkplugMessage = z.object({
  /** NBIRTH, NDATA, DBIRTH, DDATA, NCMD, DCMD, NDEATH, DDEATH (STATE is JSON, not protobuf). */
  messageType: z.string(),
  groupId: z.string(),
  edgeNodeId: z.string(),
  deviceId: z.string().optional(),
  timestamp: z.number().optional(),
  seq: z.number().int().optional(),
  uuid: z.string().optional(),
  metrics: z.array(SparkplugMetric),
  /** Aliases the message used that no birth seen so far defines. */
  unknownAliases: z.array(z.number().int()).optional(),
});

/** A payload as main decoded it. When decoding fails, `reason` says why and `raw` shows the bytes: never `{}`. */
export const DecodedPayload = z.object({
  decoder: DecoderKind.exclude(['auto']),
  /** Why this decoder: the rule's filter, or "auto". */
  chosenBy: z.string(),
  ok: z.boolean(),
  /** JSON, CBOR and protobuf: the structure; text, hex, base64: the string. */
  value: z.unknown().optional(),
  sparkplug: SparkplugMessage.optional(),
  reason: z.string().optional(),
  raw: z.object({ hex: z.string(), text: z.string(), size: z.number().int(), truncated: z.boolean() }).optional(),
});

export const TopicHistoryEntry = z.object({
  seq: z.number().int(),
  receivedAt: z.number(),
  size: z.number().int(),
  qos: Qos,
  retain: z.boolean(),
  decoded: DecodedPayload,
});

const ConnectionRef = z.object({ connectionId: Id }).strict();

/** How long after a Clear the messages can still be brought back (main keeps them that long). */
export const CLEAR_UNDO_SECONDS = 30;

export const InteropFormat = z.enum(['mqttx', 'fieldbench']);

export const CommandLineResult = z.object({
  /** One line for a POSIX shell, with placeholders where files or secrets go. */
  command: z.string(),
  argv: z.array(z.string()),
  /** Files the command refers to (written when filesDir was given). */
  files: z.array(z.object({ role: z.enum(['ca', 'cert', 'key']), path: z.string(), written: z.boolean() })),
  notes: z.array(z.string()),
});

export const mqttCalls = {
  /** Saved connection profiles without secrets. */
  'mqtt.profiles': defineCall({ request: z.object({}).strict(), response: z.array(MqttProfileSummary), summary: 'List saved MQTT connections.' }),
  /** A saved connection by its name or id; two of one name are refused ('ref.ambiguous') with their ids. */
  'mqtt.resolveProfile': defineCall({ request: z.object({ ref: z.string().min(1).max(256) }).strict(), response: MqttProfileSummary, summary: 'Find one saved MQTT connection by its name or id.' }),
  /**
   * Creates or updates a profile in the vault. `password`/`satToken`: a string sets it, null clears it,
   * absent keeps what is stored. Secrets are never returned.
   */
  'mqtt.saveProfile': defineCall({
    request: z.object({ profile: MqttProfileInput, password: Secret.nullable().optional(), satToken: Secret.nullable().optional() }).strict(),
    response: MqttProfileSummary,
    summary: 'Save an MQTT connection profile.',
  }),
  'mqtt.deleteProfile': defineCall({ request: z.object({ id: Id }).strict(), response: z.object({ deleted: z.boolean() }), summary: 'Delete a saved MQTT connection.' }),
  /**
   * Opens a connection from a saved profile, or from an unsaved one (its password/token used once, not
   * stored). Resolves when the broker accepted it; fails with a sentence that says why it did not.
   */
  'mqtt.connect': defineCall({
    request: z
      .object({
        profileId: Id.optional(),
        profile: MqttProfileInput.optional(),
        password: Secret.optional(),
        satToken: Secret.optional(),
      })
      .strict()
      .refine((r) => (r.profileId === undefined) !== (r.profile === undefined), 'Give either profileId or profile.'),
    response: ConnectionSummary,
    summary: 'Connect to an MQTT broker.',
    job: true,
  }),
  'mqtt.disconnect': defineCall({ request: ConnectionRef, response: ConnectionSummary, summary: 'Disconnect and forget the connection and its messages.' }),
  'mqtt.connections': defineCall({ request: z.object({}).strict(), response: z.array(ConnectionSummary), summary: 'List open MQTT connections with state and totals.' }),
  /** Publishes one message; QoS 1/2 resolve when the broker acknowledged it. */
  'mqtt.publish': defineCall({
    request: z
      .object({
        connectionId: Id,
        topic: TopicText,
        payload: PayloadInput,
        qos: Qos.default(0),
        retain: z.boolean().default(false),
        properties: PublishProperties.optional(),
      })
      .strict(),
    response: z.object({ bytes: z.number().int(), messageId: z.number().int().optional(), reasonCode: z.number().int().optional(), warnings: z.array(z.string()) }),
    summary: 'Publish a message.',
  }),
  'mqtt.subscribe': defineCall({
    request: z
      .object({
        connectionId: Id,
        filter: TopicText,
        qos: Qos.default(0),
        color: z.string().max(32).optional(),
        /** MQTT 5 subscription options. */
        noLocal: z.boolean().optional(),
        retainAsPublished: z.boolean().optional(),
        retainHandling: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
      })
      .strict(),
    response: SubscriptionSummary,
    summary: 'Subscribe to a topic filter.',
  }),
  'mqtt.unsubscribe': defineCall({ request: z.object({ connectionId: Id, subscriptionId: Id }).strict(), response: z.object({ removed: z.boolean() }), summary: 'Remove a subscription.' }),
  /**
   * What the renderer displays live: at most `limit` newest messages (matching `filter`) per batch of
   * mqtt.onMessages. `paused` stops batches but not ingest.
   */
  'mqtt.setView': defineCall({
    request: z.object({ connectionId: Id, limit: z.number().int().min(0).max(1000).default(100), filter: MessageFilter.optional(), paused: z.boolean().default(false) }).strict(),
    response: z.object({ connectionId: z.string(), limit: z.number().int(), paused: z.boolean() }),
    summary: 'Set what the live message view shows.',
  }),
  /**
   * A window of the messages held in memory (oldest first), for a virtualised list: `offset` counts from
   * the oldest retained message that matches `filter`; `afterSeq` instead starts after a sequence number.
   */
  'mqtt.messages': defineCall({
    request: z
      .object({
        connectionId: Id,
        offset: z.number().int().min(0).default(0),
        afterSeq: z.number().int().min(-1).optional(),
        limit: z.number().int().min(1).max(5000).default(200),
        filter: MessageFilter.optional(),
        /** Preview size per payload; up to 4 MiB for tools that print whole payloads. */
        previewBytes: z.number().int().min(16).max(4 * 1024 * 1024).default(512),
      })
      .strict(),
    response: z.object({ total: z.number().int(), offset: z.number().int(), messages: z.array(MessagePreview), stats: MessageStats }),
    summary: 'Fetch a page of received messages.',
  }),
  /** One whole payload, decoded as asked (JSON pretty-printed when it parses). */
  'mqtt.message': defineCall({
    request: z.object({ connectionId: Id, seq: z.number().int().min(0), format: PayloadFormat.optional() }).strict(),
    response: z.object({
      message: MessagePreview,
      format: PayloadFormat,
      value: z.string(),
      /** Set when JSON was asked for and the payload is not valid JSON. */
      jsonError: z.string().optional(),
      /** The payload through the decoder chosen for its topic (mqtt.setDecoders, Sparkplug B on spBv1.0/#). */
      decoded: DecodedPayload.optional(),
    }),
    summary: 'Show one message with its whole payload.',
  }),
  /**
   * With `search`, only the branches leading to topics whose name contains it (case-insensitive), as deep as
   * they go, and `matches` counts those topics.
   */
  'mqtt.topicTree': defineCall({
    request: z
      .object({ connectionId: Id, prefix: z.string().max(70_000).optional(), depth: z.number().int().min(1).max(32).default(1), search: z.string().min(1).max(1024).optional() })
      .strict(),
    response: z.object({ nodes: z.array(TopicNode), topics: z.number().int(), matches: z.number().int().optional() }),
    summary: 'Topics seen, as a tree with counts and latest values.',
  }),
  /**
   * The newest `limit` messages of one topic still in main's memory (oldest first), each decoded as its
   * topic's decoder says, and how many of the topic's messages memory still holds.
   */
  'mqtt.topicHistory': defineCall({
    request: z.object({ connectionId: Id, topic: TopicText, limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    response: z.object({ topic: z.string(), inMemory: z.number().int(), received: z.number().int(), entries: z.array(TopicHistoryEntry) }),
    summary: 'Recent messages of one topic, decoded.',
  }),
  /** Sets the decoder rules of a connection (first match wins); Sparkplug B stays automatic on spBv1.0/# unless a rule says otherwise. */
  'mqtt.setDecoders': defineCall({
    request: z.object({ connectionId: Id, rules: z.array(DecoderRule).max(200) }).strict(),
    response: z.object({ rules: z.array(DecoderRule) }),
    summary: 'Choose how payloads are decoded, per topic filter.',
  }),
  'mqtt.decoders': defineCall({ request: ConnectionRef, response: z.object({ rules: z.array(DecoderRule) }), summary: 'Show the decoder rules of a connection.' }),
  /** Reads and parses a .proto file the person chose; main keeps it for protobuf decoder rules. */
  'mqtt.loadProto': defineCall({
    request: z.object({ path: FilePath }).strict(),
    response: z.object({ path: z.string(), messageTypes: z.array(z.string()) }),
    summary: 'Read a .proto file and list its message types.',
  }),
  /** Hides the messages received so far; main keeps them for CLEAR_UNDO_SECONDS so mqtt.undoClear can bring them back. */
  'mqtt.clearMessages': defineCall({ request: ConnectionRef, response: MessageStats, summary: 'Forget the messages received so far.' }),
  /** Brings back the messages of the last clear, followed by what arrived since, within CLEAR_UNDO_SECONDS. */
  'mqtt.undoClear': defineCall({ request: ConnectionRef, response: MessageStats, summary: 'Bring back the messages the last Clear removed.' }),
  /** Checks a topic name (publish) or filter (subscribe) against the MQTT rules, for inline hints. */
  'mqtt.validateTopic': defineCall({
    request: z.object({ topic: TopicText, kind: z.enum(['name', 'filter']) }).strict(),
    response: TopicCheck,
    summary: 'Check a topic or filter against the MQTT rules.',
  }),
  /** Imports connections from MQTTX's export (a JSON array) or Fieldbench's own format. */
  'mqtt.importConnections': defineCall({
    request: z
      .object({ format: InteropFormat, text: z.string().min(1).max(MQTT_MAX_IMPORT_CHARS, 'A connections export can be at most 8 Mi characters (8,388,608); split it into several files.') })
      .strict(),
    response: z.object({ imported: z.array(MqttProfileSummary), skipped: z.array(z.object({ index: z.number().int(), reason: z.string() })) }),
    summary: 'Import MQTT connections (MQTTX or Fieldbench JSON).',
  }),
  /**
   * Exports connections without secrets. With filesDir, CA and client certificates from the vault are
   * written there as PEM so paths can be filled in; client keys only with includeKeys (after confirmation).
   */
  'mqtt.exportConnections': defineCall({
    request: z
      .object({ format: InteropFormat, profileIds: z.array(Id).max(1000).optional(), filesDir: FilePath.optional(), includeKeys: z.boolean().default(false) })
      .strict(),
    response: z.object({ text: z.string(), files: z.array(z.string()), notes: z.array(z.string()) }),
    summary: 'Export MQTT connections (MQTTX or Fieldbench JSON).',
  }),
  /** The profile as a mosquitto_pub / mosquitto_sub command line. */
  'mqtt.commandLine': defineCall({
    request: z
      .object({
        profileId: Id,
        tool: z.enum(['mosquitto_pub', 'mosquitto_sub']),
        topic: TopicText,
        message: z.string().max(1024 * 1024).optional(),
        qos: Qos.optional(),
        retain: z.boolean().optional(),
        /** Write the vault's certificates (and, with includeKey, the key) here and use their paths. */
        filesDir: FilePath.optional(),
        includeKey: z.boolean().default(false),
      })
      .strict(),
    response: CommandLineResult,
    summary: 'Copy a connection as a mosquitto_pub/mosquitto_sub command.',
  }),
} as const;

export const mqttEvents = {
  /** A connection changed state (connecting, connected, reconnecting with attempt and delay, failed…). */
  'mqtt.onState': defineEvent({ payload: ConnectionSummary, summary: 'An MQTT connection changed state.' }),
  /**
   * Every ~75 ms while messages arrive: the newest messages the view shows (at most its limit), how many
   * arrived in between that the batch leaves out (fetch them with mqtt.messages), and the totals.
   */
  'mqtt.onMessages': defineEvent({
    payload: z.object({
      connectionId: z.string(),
      messages: z.array(MessagePreview),
      /** Messages that arrived since the last batch. */
      arrived: z.number().int(),
      /** Of those, how many this batch leaves out (still in memory unless counted as dropped). */
      skipped: z.number().int(),
      stats: MessageStats,
    }),
    summary: 'New MQTT messages, batched.',
  }),
  'mqtt.onProfiles': defineEvent({ payload: z.object({ profiles: z.array(MqttProfileSummary) }), summary: 'Saved MQTT connections changed.' }),
} as const;

export type MqttProfileInputT = z.output<typeof MqttProfileInput>;
export type MqttProfileSummaryT = z.output<typeof MqttProfileSummary>;
export type ConnectionSummaryT = z.output<typeof ConnectionSummary>;
export type SubscriptionSummaryT = z.output<typeof SubscriptionSummary>;
export type MessagePreviewT = z.output<typeof MessagePreview>;
export type MessageStatsT = z.output<typeof MessageStats>;
export type MessageFilterT = z.output<typeof MessageFilter>;
export type PayloadInputT = z.output<typeof PayloadInput>;
export type PayloadPreviewT = z.output<typeof PayloadPreview>;
export type PublishPropertiesT = z.output<typeof PublishProperties>;
export type ReceivedPropertiesT = z.output<typeof ReceivedProperties>;
export type TopicNodeT = z.output<typeof TopicNode>;
export type DecoderKindT = z.output<typeof DecoderKind>;
export type DecoderRuleT = z.output<typeof DecoderRule>;
export type DecodedPayloadT = z.output<typeof DecodedPayload>;
export type SparkplugMessageT = z.output<typeof SparkplugMessage>;
export type SparkplugMetricT = z.output<typeof SparkplugMetric>;
export type TopicHistoryEntryT = z.output<typeof TopicHistoryEntry>;
export type TopicCheckT = z.output<typeof TopicCheck>;
export type CommandLineResultT = z.output<typeof CommandLineResult>;
export type SatTokenSourceT = z.output<typeof SatTokenSource>;

import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { Id, Secret } from './primitives';

// Addresses arrive as text and are checked in main, which answers with findings worded for a person: the
// schemas here only bound sizes and shapes, so a half-typed address gives a sentence, not a schema error.
const AddressText = z.string().trim().max(64);
const Fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'A host key fingerprint looks like SHA256: followed by 43 characters.');

/**
 * Which node to work on: a node profile from the vault (edge area), or a direct SSH login for nodes that
 * have no profile yet. Passwords only travel towards main; key files are read by main.
 */
export const NodeTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('node'), nodeId: Id }).strict(),
  z
    .object({
      kind: z.literal('direct'),
      host: z.string().trim().min(1, 'Enter the node address.').max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'Enter an IP address or host name.'),
      port: z.number().int().min(1).max(65_535).default(22),
      user: z.string().trim().min(1, 'Enter the SSH user.').max(64).regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'Enter a plain user name.'),
      auth: z.discriminatedUnion('method', [
        z.object({ method: z.literal('keyFile'), path: z.string().min(1).max(4096), passphrase: Secret.optional() }).strict(),
        z.object({ method: z.literal('password'), password: Secret }).strict(),
      ]),
      sudoPassword: Secret.optional(),
      /**
       * The host key the person confirmed. Absent: Fieldbench connects only far enough to read the key and
       * refuses with edge.hostKeyUnknown (carrying it) before any password or key is sent.
       */
      hostKeyFingerprint: Fingerprint.optional(),
      /** Accept the legacy SSH algorithms (LEGACY_SSH_ALGORITHMS in the edge contract) for this login. */
      legacyAlgorithms: z.boolean().optional(),
    })
    .strict(),
]);
export type NodeTarget = z.infer<typeof NodeTarget>;

/** What the technician types into the form. */
export const NetworkSettings = z
  .object({
    interface: z.string().trim().min(1, 'Choose the interface.').max(15, 'Interface names have at most 15 characters.'),
    /** `192.168.2.196/24`. */
    address: AddressText,
    /** Default gateway; leave out for a segment without one. */
    gateway: AddressText.optional(),
    /** DNS servers. Absent: keep what the file has; empty: remove them. */
    dns: z.array(AddressText).max(8).optional(),
    /** Search domains. Absent: keep what the file has; empty: remove them. */
    search: z.array(z.string().trim().max(253)).max(8).optional(),
  })
  .strict();
export type NetworkSettings = z.infer<typeof NetworkSettings>;

export const Finding = z.object({
  field: z.enum(['interface', 'address', 'gateway', 'dns', 'search', 'general']),
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
});
export type Finding = z.infer<typeof Finding>;

export const InterfaceAddress = z.object({
  address: z.string(),
  prefix: z.number(),
  family: z.enum(['inet', 'inet6']),
  /** Handed out by DHCP (or SLAAC): the kernel marks it dynamic with a lifetime. */
  dynamic: z.boolean(),
  scope: z.string(),
});

export const InterfaceInfo = z.object({
  name: z.string(),
  kind: z.enum(['ethernet', 'loopback', 'wireless', 'bridge', 'bond', 'vlan', 'virtual', 'other']),
  mac: z.string().optional(),
  mtu: z.number().optional(),
  /** Kernel operstate: UP, DOWN, UNKNOWN, LOWERLAYERDOWN… */
  state: z.string(),
  /** Administratively up (ip link set up). */
  up: z.boolean(),
  /** A cable (or peer) is present: LOWER_UP. */
  carrier: z.boolean(),
  addresses: z.array(InterfaceAddress),
  /** Carries the default route. */
  hasDefaultRoute: z.boolean(),
  gateway: z.string().optional(),
  /** The SSH session came in over this interface. */
  connectedVia: z.boolean(),
  /** netplan files that configure it, in the order netplan reads them (the last one wins). */
  configuredBy: z.array(z.string()),
  /** Whether netplan enables DHCPv4 on it, when a file says so. */
  dhcp4: z.boolean().optional(),
});
export type InterfaceInfo = z.infer<typeof InterfaceInfo>;

export const NetplanFileInfo = z.object({
  path: z.string(),
  /** Octal file mode, e.g. 600; netplan warns about files others can read. */
  mode: z.string().optional(),
  interfaces: z.array(z.string()),
  renderer: z.string().optional(),
  /** The YAML could not be read; netplan would refuse it too. */
  parseError: z.string().optional(),
});

export const NetworkSnapshot = z.object({
  host: z.string(),
  hostKeyFingerprint: z.string().optional(),
  hostname: z.string(),
  interfaces: z.array(InterfaceInfo),
  defaultRoute: z.object({ interface: z.string(), gateway: z.string().optional() }).optional(),
  dns: z.object({ servers: z.array(z.string()), search: z.array(z.string()), source: z.enum(['resolvectl', 'resolv.conf', 'none']) }),
  netplan: z.object({
    available: z.boolean(),
    /** The files could be read (needs sudo: they are mode 600). */
    readable: z.boolean(),
    files: z.array(NetplanFileInfo),
    note: z.string().optional(),
  }),
  /** The interface a static address is most likely meant for: the one carrying the default route or the SSH session. */
  suggestedInterface: z.string().optional(),
  /** Settings that reproduce the current address of the suggested interface, to prefill the form. */
  suggestedSettings: NetworkSettings.optional(),
});
export type NetworkSnapshot = z.infer<typeof NetworkSnapshot>;

export const NetplanPlan = z.object({
  settings: NetworkSettings,
  findings: z.array(Finding),
  /** No error among the findings: the plan can be validated on the node and applied. */
  ok: z.boolean(),
  /** The file Fieldbench writes; every other file stays as it is. */
  file: z.object({ path: z.string(), exists: z.boolean() }),
  currentYaml: z.string().nullable(),
  yaml: z.string(),
  /** Unified diff of the file against its current content. */
  diff: z.string(),
  /** Files that stay untouched. */
  keptFiles: z.array(z.string()),
  /** One sentence per change ("eth0: DHCP off", "address 10.0.0.5/24 replaces 10.0.0.2/24"). */
  changes: z.array(z.string()),
  previousHost: z.string(),
  /** Where the node answers after the apply. */
  newHost: z.string(),
});
export type NetplanPlan = z.infer<typeof NetplanPlan>;

export const NetplanError = z.object({
  /** The path as it would be on the node (/etc/netplan/…). */
  file: z.string(),
  line: z.number(),
  column: z.number(),
  message: z.string(),
  /** The offending line and a caret, as netplan prints them. */
  excerpt: z.string().optional(),
});
export type NetplanError = z.infer<typeof NetplanError>;

export const NodeValidation = z.object({
  ok: z.boolean(),
  errors: z.array(NetplanError),
  /** netplan's complete output (warnings included). */
  output: z.string(),
});
export type NodeValidation = z.infer<typeof NodeValidation>;

export const ApplyStepId = z.enum(['preflight', 'probe', 'validate', 'backup', 'arm', 'write', 'apply', 'reconnect', 'verify', 'cancelRollback', 'profile', 'rollback']);
export type ApplyStepId = z.infer<typeof ApplyStepId>;

/** The steps of a safe apply in the order they run (rollback only happens when one fails). */
export const APPLY_STEP_ORDER: readonly ApplyStepId[] = ['preflight', 'probe', 'validate', 'backup', 'arm', 'write', 'apply', 'reconnect', 'verify', 'cancelRollback', 'profile'];

/** What each step is called, in main's progress and in the UI's list before the first report. */
export const APPLY_STEP_LABELS: Readonly<Record<ApplyStepId, string>> = {
  preflight: 'Check sudo and tools on the node',
  probe: 'Check that nothing answers at the new address',
  validate: "Validate with the node's netplan",
  backup: 'Back up /etc/netplan',
  arm: 'Arm the automatic rollback',
  write: 'Write the new netplan file',
  apply: 'Apply (netplan apply)',
  reconnect: 'Reconnect on the new address',
  verify: 'Verify address, gateway and DNS',
  cancelRollback: 'Cancel the rollback',
  profile: "Update the node profile's address",
  rollback: 'Roll back to the previous settings',
};

export const ApplyStep = z.object({
  id: ApplyStepId,
  label: z.string(),
  status: z.enum(['pending', 'running', 'ok', 'warning', 'failed', 'skipped']),
  /** What was found or done, or what went wrong and what to do. */
  message: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});
export type ApplyStep = z.infer<typeof ApplyStep>;

export const RollbackTimer = z.object({
  /** The node restores the backup at this time unless Fieldbench cancels it. ISO 8601. */
  deadline: z.string(),
  secondsLeft: z.number(),
  state: z.enum(['armed', 'cancelled', 'fired']),
});

export const ApplyResult = z.object({
  applyId: z.string(),
  /** applied: the node runs the new settings; rolled-back: the node restored its previous files by itself. */
  outcome: z.enum(['applied', 'rolled-back']),
  /** Where the node answers now. */
  host: z.string(),
  previousHost: z.string(),
  newHost: z.string(),
  message: z.string(),
  steps: z.array(ApplyStep),
  /** Folder on the node with the previous files. */
  backupDir: z.string(),
  verification: z.object({
    address: z.enum(['ok', 'missing', 'skipped']),
    gateway: z.enum(['ok', 'silent', 'skipped']),
    dns: z.enum(['ok', 'failed', 'skipped']),
  }),
  /** The node profile now points at the new host (node targets only). */
  profileUpdated: z.boolean(),
  hostKeyFingerprint: z.string().optional(),
});
export type ApplyResult = z.infer<typeof ApplyResult>;

export const ListenerInput = z
  .object({
    name: z.string().min(1).max(253),
    serviceType: z.enum(['ClusterIp', 'NodePort', 'LoadBalancer']),
    /** External IPs of the listener's service (LoadBalancer status). */
    externalIps: z.array(AddressText).max(16).optional(),
    ports: z.array(z.object({ port: z.number().int().min(1).max(65_535), nodePort: z.number().int().min(1).max(65_535).optional() }).strict()).max(32),
  })
  .strict();

export const CrossCheckReport = z.object({
  address: z.string(),
  certificates: z.array(
    z.object({
      /** Vault id; absent for certificates given as PEM (from the cluster). */
      id: z.string().optional(),
      name: z.string(),
      source: z.enum(['vault', 'cluster']),
      valid: z.boolean(),
      message: z.string(),
      /** The vault holds its issuing CA's key, so network.reissueCertificate can add the address. */
      canReissue: z.boolean(),
      sans: z.array(z.string()),
    }),
  ),
  listeners: z.array(z.object({ name: z.string(), serviceType: z.string(), ok: z.boolean(), message: z.string() })),
  reachability: z.array(
    z.object({ listener: z.string(), host: z.string(), port: z.number(), reachable: z.boolean(), message: z.string() }),
  ),
  /**
   * With a nodeId: where the listeners and cluster certificates were read from, or why they were not (no
   * Kubernetes access, no broker installed), in which case only vault certificates were checked.
   */
  cluster: z
    .discriminatedUnion('state', [
      z.object({ state: z.literal('read'), description: z.string() }),
      z.object({ state: z.literal('unavailable'), reason: z.string() }),
    ])
    .optional(),
  /** Number of problems found across all checks. */
  warnings: z.number(),
});
export type CrossCheckReport = z.infer<typeof CrossCheckReport>;

/**
 * What network.apply answers: the apply, and when the node moved, the checks of the certificates and
 * listeners against its new address (reachability from this machine included), or why they did not run.
 */
export const ApplyOutcome = ApplyResult.extend({
  checks: CrossCheckReport.optional(),
  checksError: z.string().optional(),
});
export type ApplyOutcome = z.infer<typeof ApplyOutcome>;

const TargetAndSettings = { target: NodeTarget, settings: NetworkSettings };

export const networkCalls = {
  /** Interfaces with state, carrier and addresses, the default route, DNS, and the netplan files. */
  'network.discover': defineCall({
    request: z.object({ target: NodeTarget }).strict(),
    response: NetworkSnapshot,
    summary: "Read the node's interfaces, routes, DNS and netplan files.",
  }),
  /** Local checks of the form only (no SSH): for live validation while typing. */
  'network.checkSettings': defineCall({
    request: z
      .object({
        settings: NetworkSettings,
        /** From network.discover, so the checks know the node's interfaces and addresses. */
        snapshot: NetworkSnapshot.optional(),
      })
      .strict(),
    response: z.object({ ok: z.boolean(), findings: z.array(Finding) }),
    summary: 'Check the static address settings without touching the node.',
  }),
  /** The netplan YAML for the settings, the diff against the current file and the local findings. */
  'network.plan': defineCall({
    request: z.object(TargetAndSettings).strict(),
    response: NetplanPlan,
    summary: 'Render the netplan file for a static address and show the diff.',
  }),
  /** network.plan, then the node's own netplan checks the whole config in a temporary copy. Nothing is changed. */
  'network.validate': defineCall({
    request: z.object(TargetAndSettings).strict(),
    response: z.object({ plan: NetplanPlan, node: NodeValidation.nullable() }),
    summary: "Check the new netplan file with the node's own netplan, in a temporary copy.",
    job: true,
  }),
  /**
   * Backs up, arms a rollback on the node, writes and applies the file, reconnects on the new address,
   * verifies and cancels the rollback. Steps stream as network.onApplyProgress. Refusals before the node
   * is touched are errors; a rollback is a result with outcome 'rolled-back'. When the node moved, the
   * cross-checks against the new address come with the result (the static-address workflow).
   */
  'network.apply': defineCall({
    request: z
      .object({
        ...TargetAndSettings,
        /** The node restores its previous files after this many seconds unless Fieldbench confirmed the new address. */
        rollbackSeconds: z.number().int().min(5).max(1800).default(120),
        /** Names the progress events; the UI passes its jobId. Generated when absent. */
        applyId: z.string().min(1).max(100).optional(),
        /** A name to resolve on the node after the change, when DNS servers are set. */
        dnsCheckName: z.string().trim().min(1).max(253).optional(),
        /** Keep the new settings even when the gateway does not answer (a segment whose router is not there yet). */
        allowSilentGateway: z.boolean().default(false),
      })
      .strict(),
    response: ApplyOutcome,
    summary: 'Apply a static address with automatic rollback on the node, then check what named the old address.',
    job: true,
  }),
  /** Certificates' SANs, LoadBalancer external IPs, and (optionally) TCP reachability of listener ports for an address. */
  'network.crossCheck': defineCall({
    request: z
      .object({
        address: AddressText,
        /** The node's address before the change: vault server certificates listing it are checked by default. */
        previousAddress: AddressText.optional(),
        /** Vault certificates to check; default: server certificates that list previousAddress (or any IP). */
        certificateIds: z.array(Id).max(50).optional(),
        /** Certificates read from the cluster (PEM, leaf first). */
        clusterCertificates: z.array(z.object({ name: z.string().min(1).max(253), pem: z.string().min(1).max(200_000) }).strict()).max(20).optional(),
        listeners: z.array(ListenerInput).max(32).optional(),
        /**
         * A node profile whose cluster Fieldbench reads itself: the broker's listeners and the server
         * certificates in their Secrets. Listeners or certificates given above take the place of what it reads.
         */
        nodeId: Id.optional(),
        /** The AIO namespace on that node (default azure-iot-operations). */
        namespace: z.string().min(1).max(63).optional(),
        /** Try a TCP connection from this machine to every listener port on the address. */
        checkReachability: z.boolean().default(false),
        timeoutMs: z.number().int().min(100).max(30_000).default(3_000),
      })
      .strict(),
    response: CrossCheckReport,
    summary: 'Check certificates and listeners against the node address.',
    job: true,
  }),
  /** Issues a new server certificate like the given one with the address added to its SANs. */
  'network.reissueCertificate': defineCall({
    request: z
      .object({
        certificateId: Id,
        addAddress: AddressText,
        /** Drop these from the SANs (the node's old address). */
        removeAddresses: z.array(AddressText).max(8).optional(),
      })
      .strict(),
    response: z.object({ certificateId: z.string(), replaces: z.string(), commonName: z.string(), sans: z.array(z.string()), notAfter: z.string(), warnings: z.array(z.string()) }),
    summary: 'Re-issue a server certificate with the new address in its SANs.',
    job: true,
  }),
} as const;

export const networkEvents = {
  /** Every step of a network.apply as it happens, with the rollback countdown once armed (about once a second). */
  'network.onApplyProgress': defineEvent({
    payload: z.object({ applyId: z.string(), steps: z.array(ApplyStep), rollback: RollbackTimer.optional(), message: z.string() }),
    summary: 'Steps and rollback countdown of a network change.',
  }),
} as const;

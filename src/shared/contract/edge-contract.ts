import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { Id, Secret } from './primitives';
import { hostProblem } from '../address-rules';

// Secrets (passwords, private keys, passphrases, tokens) only ever travel from the person to main. Every
// response below carries summaries: fingerprints, public key lines, and "has a password" flags.
const Fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'A host key fingerprint looks like SHA256: followed by 43 characters, as ssh-keygen -l prints it.');

export const NodeName = z
  .string()
  .trim()
  .min(1, 'Give the node a name.')
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dots, dashes and underscores in node names (no spaces).');
const Host = z
  .string()
  .trim()
  .min(1, 'Enter the node address or host name.')
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'Enter an IP address or a host name (no spaces, no scheme).')
  // The shared address rule, so `192.168.2.300` is refused here as in every other address field.
  .superRefine((value, ctx) => {
    const problem = hostProblem(value, 'the node address');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const Port = z.number().int().min(1).max(65_535);
const User = z
  .string()
  .trim()
  .min(1, 'Enter the SSH user name.')
  .max(64)
  .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'Enter a plain user name.');

/**
 * What a node's "legacy SSH algorithms" switch adds to the modern lists Fieldbench offers by default. Each
 * is weak today (SHA-1 signatures and MACs, a 2048-bit group hashed with SHA-1, CBC modes open to
 * plaintext recovery), so they are off unless a node's sshd offers nothing better. 1024-bit group1 and DSA
 * keys stay refused even then: OpenSSH itself dropped them.
 */
export const LEGACY_SSH_ALGORITHMS = {
  serverHostKey: ['ssh-rsa'],
  kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1'],
  cipher: ['aes128-cbc', 'aes192-cbc', 'aes256-cbc', '3des-cbc'],
  hmac: ['hmac-sha1-etm@openssh.com', 'hmac-sha1'],
} as const;

/** The switch's promise in one sentence, for the node editor, the CLI help and the refusal. */
export const LEGACY_SSH_DESCRIPTION =
  'also accepts ssh-rsa host key signatures (SHA-1), the hmac-sha1 MAC, diffie-hellman-group14-sha1 and group-exchange-sha1 key exchange, and AES-CBC and 3DES-CBC ciphers';

/** How the app logs in over SSH, as the person chooses it. A password omitted on edit keeps the stored one. */
export const SshAuthInput = z.discriminatedUnion('method', [
  z.object({ method: z.literal('key'), keyId: Id }).strict(),
  z.object({ method: z.literal('password'), password: Secret.optional() }).strict(),
  z.object({ method: z.literal('agent') }).strict(),
]);

/** How the Kubernetes API is reached. An Arc token omitted on edit keeps the stored one; null removes it. */
export const KubeAccessInput = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('ssh'),
      /** Where k3s keeps its admin kubeconfig on the node. */
      kubeconfigPath: z.string().min(1).max(1024).default('/etc/rancher/k3s/k3s.yaml'),
    })
    .strict(),
  z
    .object({
      mode: z.literal('arc'),
      clusterName: z.string().trim().min(1, 'Enter the Arc cluster name.').max(253),
      resourceGroup: z.string().trim().min(1, 'Enter the resource group.').max(90),
      token: Secret.nullable().optional(),
    })
    .strict(),
  z
    .object({
      mode: z.literal('kubeconfig'),
      path: z.string().min(1, 'Choose a kubeconfig file.').max(4096),
      context: z.string().min(1).max(253).optional(),
    })
    .strict(),
]);

export const KeySummary = z.object({
  id: z.string(),
  /** ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa… */
  type: z.string(),
  /** The OpenSSH public key line to paste into ~/.ssh/authorized_keys on the node. */
  publicKey: z.string(),
  fingerprint: z.string(),
  comment: z.string(),
  /** Imported keys may be protected by a passphrase (kept in the vault). */
  hasPassphrase: z.boolean(),
  created: z.string(),
  /** Names of the nodes that log in with this key. */
  usedBy: z.array(z.string()),
});

export const HostKeySummary = z.object({ type: z.string(), fingerprint: z.string(), trustedAt: z.string() });

export const NodeSummary = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number(),
  user: z.string(),
  auth: z.discriminatedUnion('method', [
    z.object({ method: z.literal('key'), keyId: z.string(), type: z.string(), fingerprint: z.string(), publicKey: z.string() }),
    z.object({ method: z.literal('password') }),
    z.object({ method: z.literal('agent') }),
  ]),
  /** A sudo password is stored (for key and agent logins; password logins reuse the login password). */
  hasSudoPassword: z.boolean(),
  jumpHost: z.object({ id: z.string(), name: z.string() }).optional(),
  /** Absent until the person trusted the node's host key. */
  hostKey: HostKeySummary.optional(),
  /** The node may use the legacy SSH algorithms (LEGACY_SSH_ALGORITHMS); absent means no. */
  legacyAlgorithms: z.boolean().optional(),
  kube: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('ssh'), kubeconfigPath: z.string() }),
    z.object({ mode: z.literal('arc'), clusterName: z.string(), resourceGroup: z.string(), hasToken: z.boolean() }),
    z.object({ mode: z.literal('kubeconfig'), path: z.string(), context: z.string().optional() }),
  ]),
  created: z.string(),
  modified: z.string(),
});

export const TestStepId = z.enum(['connect', 'hostKey', 'login', 'sudo', 'kubernetes', 'aio']);
export const TestStep = z.object({
  id: TestStepId,
  label: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
  /** A sentence for the person: what was found, or what went wrong and what to do. */
  message: z.string(),
  /** The error code when the step failed (edge.hostKeyUnknown, edge.sudoRefused…). */
  code: z.string().optional(),
  detail: z.string().optional(),
});

/** What the node presented when its host key is not (or no longer) the trusted one: the UI asks the person. */
export const PresentedHostKey = z.object({
  status: z.enum(['trusted', 'unknown', 'changed']),
  type: z.string(),
  fingerprint: z.string(),
  /** The stored fingerprint when the key changed. */
  expected: z.string().optional(),
});

export const NodeTestResult = z.object({
  nodeId: z.string(),
  ok: z.boolean(),
  steps: z.array(TestStep),
  hostKey: PresentedHostKey.optional(),
  kubernetesVersion: z.string().optional(),
  aioVersions: z.array(z.string()).optional(),
});

export const ActivityEntry = z.object({
  at: z.string(),
  nodeId: z.string(),
  nodeName: z.string(),
  /** Which area made the change ('edge', 'aio', 'network'…). */
  area: z.string(),
  /** Short machine tag: added, edited, removed, hostKeyTrusted, tested, applied… */
  kind: z.string(),
  message: z.string(),
  ok: z.boolean(),
});

export const edgeCalls = {
  /** Every node profile, without secrets. */
  'edge.listNodes': defineCall({
    request: z.object({}).strict(),
    response: z.object({ nodes: z.array(NodeSummary) }),
    summary: 'List the edge nodes kept in the vault.',
  }),
  /** A node by its name or id; two nodes of one name are refused ('ref.ambiguous') with their ids. */
  'edge.resolveNode': defineCall({
    request: z.object({ ref: z.string().min(1).max(256) }).strict(),
    response: NodeSummary,
    summary: 'Find one edge node by its name or id.',
  }),
  /**
   * Adds a node (no id) or edits one (with id). Secrets given here go into the vault and never come back;
   * on edit an omitted password, sudo password or token keeps the stored one, and null removes it.
   */
  'edge.saveNode': defineCall({
    request: z
      .object({
        id: Id.optional(),
        name: NodeName,
        host: Host,
        port: Port.default(22),
        user: User,
        auth: SshAuthInput,
        sudoPassword: Secret.nullable().optional(),
        jumpHostId: Id.nullable().optional(),
        /** Accept the legacy SSH algorithms (LEGACY_SSH_ALGORITHMS) for this node only. Omitted on edit: unchanged. */
        legacyAlgorithms: z.boolean().optional(),
        kube: KubeAccessInput.default({ mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' }),
      })
      .strict(),
    response: NodeSummary,
    summary: 'Add or edit an edge node profile.',
  }),
  /** Removes the node, its trusted host key and its activity log. Keys stay (another node may use them). */
  'edge.removeNode': defineCall({
    request: z.object({ id: Id }).strict(),
    response: z.object({ removed: z.boolean() }),
    summary: 'Remove an edge node profile.',
  }),
  /** Keys held in the vault for SSH logins: public parts only. */
  'edge.listKeys': defineCall({
    request: z.object({}).strict(),
    response: z.object({ keys: z.array(KeySummary) }),
    summary: 'List the SSH keys kept in the vault.',
  }),
  /** Generates an Ed25519 key in the vault and returns the public key line to paste into authorized_keys. */
  'edge.generateKey': defineCall({
    request: z.object({ comment: z.string().max(200).optional() }).strict(),
    response: KeySummary,
    summary: 'Generate an SSH key (Ed25519) in the vault.',
  }),
  /** Imports an OpenSSH or PEM private key (optionally passphrase-protected). Key material only comes in. */
  'edge.importKey': defineCall({
    request: z.object({ privateKey: Secret.max(65_536), passphrase: Secret.optional(), comment: z.string().max(200).optional() }).strict(),
    response: KeySummary,
    summary: 'Import an SSH private key into the vault.',
  }),
  /** Removes a key no node uses. */
  'edge.removeKey': defineCall({
    request: z.object({ id: Id }).strict(),
    response: z.object({ removed: z.boolean() }),
    summary: 'Remove an SSH key from the vault.',
  }),
  /**
   * Trusts a host key for a node after the person compared its fingerprint. When the node presented a key
   * in this session, the fingerprint must be that one. Replaces a previously trusted key.
   */
  'edge.trustHostKey': defineCall({
    request: z.object({ nodeId: Id, fingerprint: Fingerprint }).strict(),
    response: NodeSummary,
    summary: "Trust a node's SSH host key.",
  }),
  /**
   * Connects and reports each step: reach the node, check its host key, log in, sudo, Kubernetes version,
   * AIO present. Steps stream as progress and come back in the result; a failed step skips the rest.
   */
  'edge.testNode': defineCall({
    request: z.object({ id: Id, sudoPassword: Secret.optional() }).strict(),
    response: NodeTestResult,
    summary: 'Test the connection to an edge node, step by step.',
    job: true,
  }),
  /** The node's activity log, newest last. */
  'edge.activity': defineCall({
    request: z.object({ nodeId: Id, limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    response: z.object({ entries: z.array(ActivityEntry) }),
    summary: "Show a node's activity log.",
  }),
} as const;

export const edgeEvents = {
  'edge.onActivity': defineEvent({ payload: ActivityEntry, summary: 'Something was changed on or for an edge node.' }),
  'edge.onNodesChanged': defineEvent({
    payload: z.object({ nodeIds: z.array(z.string()) }),
    summary: 'Node profiles were added, edited or removed; list them again.',
  }),
} as const;

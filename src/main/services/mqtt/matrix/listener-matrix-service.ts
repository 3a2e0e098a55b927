import { randomBytes } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { AioDiscoveryT } from '@shared/contract/aio-contract';
import type { MatrixEndpointDraftT, MatrixPlanRequestT, MatrixPlanT, MatrixResultT, MatrixRowT, MatrixRunRequestT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';
import type { CertificateSummary } from '@shared/pki-types';
import type { VaultStore } from '../../vault';
import type { SatTokenProvider, TlsMaterialSource } from '../tls-material';
import { runListenerMatrix, type MatrixTunnel } from './listener-matrix';
import type { KnownCertificate, MatrixKnowledge } from './listener-matrix-diagnosis';
import { planFromDiscovery, planFromEndpoints } from './listener-matrix-plan';

export interface ListenerMatrixServiceDeps {
  /** Vault certificates: TLS material, and summaries to pick client certificates and name CAs. */
  pki?: (TlsMaterialSource & { summaries(): CertificateSummary[] }) | undefined;
  /** Read at every run: the MQTT service's provider may be set after construction. */
  satTokens?: () => SatTokenProvider | undefined;
  edge?: { getNode(id: string): { host: string }; forward(nodeId: string, host: string, port: number): Promise<MatrixTunnel> } | undefined;
  aio?: { discover(nodeId: string, namespace: string, op?: { signal?: AbortSignal; progress?: (m: string, f?: number) => void }): Promise<AioDiscoveryT> } | undefined;
  /** Where the typed endpoints are kept, in the matrix's own section. */
  vault?: VaultStore | undefined;
  /** mqtt.onMatrixProgress. */
  onProgress?: (e: { runId: string; phase: 'plan' | 'connect' | 'subscribe' | 'publish' | 'collect' | 'done'; message: string; fraction: number; targets?: MatrixTargetT[]; row?: MatrixRowT }) => void;
}

export interface MatrixOperation {
  signal?: AbortSignal;
  progress?: (message: string, fraction?: number) => void;
}

/** The matrix's vault section: addresses are site topology, so they are kept encrypted with the rest. */
const MATRIX_SECTION = 'mqttMatrix';
interface MatrixSection {
  endpointsByNode: Record<string, MatrixEndpointDraftT[]>;
}

/** The listener matrix behind mqtt.matrixPlan and mqtt.matrixRun: plans from discovery or endpoints, then runs. */
export class ListenerMatrixService {
  constructor(private readonly deps: ListenerMatrixServiceDeps) {}

  /** The endpoints typed for a node ('' for none); an empty list when nothing was kept or the vault has no store. */
  endpointDrafts(nodeId: string | undefined): MatrixEndpointDraftT[] {
    const vault = this.deps.vault;
    if (!vault) return [];
    return [...(vault.getSection<MatrixSection>(MATRIX_SECTION, { endpointsByNode: {} }).endpointsByNode[nodeId ?? ''] ?? [])];
  }

  async saveEndpointDrafts(nodeId: string | undefined, endpoints: readonly MatrixEndpointDraftT[]): Promise<number> {
    const vault = this.deps.vault;
    if (!vault) throw new FieldbenchError('mqtt.noVault', 'The matrix endpoints are kept in the vault, which is not available here. Unlock the vault and try again.');
    return vault.updateSection<MatrixSection, number>(MATRIX_SECTION, { endpointsByNode: {} }, (draft) => {
      if (endpoints.length === 0) delete draft.endpointsByNode[nodeId ?? ''];
      else draft.endpointsByNode[nodeId ?? ''] = endpoints.map((e) => ({ ...e }));
      return endpoints.length;
    });
  }

  /** Which listeners the matrix would test and how; nothing connects to a broker. */
  async plan(req: MatrixPlanRequestT, op: MatrixOperation = {}): Promise<MatrixPlanT> {
    const { knowledge: _k, ...plan } = await this.planWithKnowledge(req, op);
    return plan;
  }

  /** Plans and runs the matrix; the result is the exportable JSON document. */
  async run(req: MatrixRunRequestT, op: MatrixOperation = {}): Promise<MatrixResultT> {
    const runId = `m-${randomBytes(5).toString('hex')}`;
    const emit = this.deps.onProgress ?? (() => {});
    op.progress?.('Finding the listeners…', 0);
    emit({ runId, phase: 'plan', message: 'Finding the listeners…', fraction: 0 });
    const plan = await this.planWithKnowledge(req, op);
    if (plan.targets.length === 0) {
      throw new FieldbenchError('mqtt.matrixEmpty', `There is no listener to test${plan.skipped.length ? `: ${plan.skipped.map((s) => s.reason).join(' ')}` : '.'}${plan.warnings.length ? ` ${plan.warnings.join(' ')}` : ''}`);
    }
    emit({ runId, phase: 'plan', message: `${plan.targets.length} listener endpoints to test.`, fraction: 0.05, targets: plan.targets });
    const edge = this.deps.edge;
    return runListenerMatrix(
      plan.targets,
      {
        pki: this.deps.pki,
        satTokens: this.deps.satTokens?.(),
        ...(edge ? { forward: (nodeId: string, host: string, port: number) => edge.forward(nodeId, host, port) } : {}),
      },
      {
        runId,
        nodeId: req.nodeId,
        connectTimeoutSeconds: req.connectTimeoutSeconds,
        deliveryTimeoutMs: req.deliveryTimeoutMs,
        skipped: plan.skipped,
        warnings: plan.warnings,
        knowledge: plan.knowledge,
        signal: op.signal,
        progress: (e) => {
          op.progress?.(e.message, e.fraction);
          emit({ runId, ...e });
        },
      },
    );
  }

  private async planWithKnowledge(req: MatrixPlanRequestT, op: MatrixOperation): Promise<MatrixPlanT & { knowledge: MatrixKnowledge }> {
    const vault = this.vaultCertificates();
    if (req.endpoints) {
      return { ...planFromEndpoints(req.endpoints), knowledge: { vaultCas: vault.filter((c) => c.isCa), vaultCertificates: vault } };
    }
    const nodeId = req.nodeId!;
    if (!this.deps.aio || !this.deps.edge) {
      throw new FieldbenchError('mqtt.matrixNoDiscovery', 'Listing a node\'s listeners needs the edge and AIO areas, which are not available here. Give the endpoints by hand instead.');
    }
    const node = this.deps.edge.getNode(nodeId);
    const discovery = await this.deps.aio.discover(nodeId, req.namespace, op);
    return planFromDiscovery({
      nodeId,
      nodeHost: node.host,
      discovery,
      vaultCertificates: vault,
      caCertificateId: req.caCertificateId,
      clientCertificateId: req.clientCertificateId,
      serviceAccount: req.serviceAccount,
    });
  }

  private vaultCertificates(): (KnownCertificate & { hasPrivateKey: boolean })[] {
    let list: CertificateSummary[] = [];
    try {
      list = this.deps.pki?.summaries() ?? [];
    } catch (err) {
      // A locked vault still allows a matrix over plain listeners; TLS material fails later with its own sentence.
      if ((err as { code?: string }).code !== 'vault.locked') throw err;
    }
    return list.map((c) => ({ id: c.id, commonName: c.commonName, subject: c.subject, fingerprintSha256: c.fingerprintSha256, isCa: c.isCa, issuerId: c.issuerId, hasPrivateKey: c.hasPrivateKey }));
  }
}

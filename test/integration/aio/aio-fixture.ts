/** Connects the AIO service to the Kubernetes API emulator the way the edge area would hand over a node. */
import type { KubeAccess, KubeAccessProvider } from '../../../src/main/services/edge/kube-access';
import type { KubeconfigOptions, KubeEmulator } from '../../support/kube/kube-emulator';
import { loadClientNode } from '../../support/kube/load-client-node';

/**
 * client-node 2 needs undici 8, which does not load on Node 20; the kube test support maps it to an older
 * undici. The AIO services never import client-node themselves (only its types), so only tests need this.
 */
async function newKubeConfig() {
  const { k8s, reason } = await loadClientNode();
  if (!k8s) throw new Error(reason);
  return new k8s.KubeConfig();
}

export interface CountingProvider extends KubeAccessProvider {
  opened: number;
  released: number;
}

/** A provider whose every node is the emulator, as a kubeconfig-file node would be. */
export function emulatorProvider(emu: KubeEmulator, opts: KubeconfigOptions = {}): CountingProvider {
  const p: CountingProvider = {
    opened: 0,
    released: 0,
    async openKube(nodeId: string): Promise<KubeAccess> {
      const kc = await newKubeConfig();
      kc.loadFromString(await emu.kubeconfig(opts));
      p.opened++;
      let done = false;
      return {
        kubeConfig: kc,
        via: 'kubeconfig',
        description: `the kubeconfig of ${nodeId}`,
        release: async () => {
          if (!done) p.released++;
          done = true;
        },
      };
    },
  };
  return p;
}

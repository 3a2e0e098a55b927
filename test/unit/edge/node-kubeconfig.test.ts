import { describe, expect, it } from 'vitest';
import { apiServerAddress, loadKubeconfig, throughLocalPort } from '../../../src/main/services/edge/node-kubeconfig';

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters:
- name: default
  cluster:
    server: ${server}
    certificate-authority-data: Y2E=
- name: other
  cluster:
    server: https://10.0.0.9:6443
users:
- name: default
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
contexts:
- name: default
  context: {cluster: default, user: default}
- name: other
  context: {cluster: other, user: default}
current-context: default
`;

describe('node kubeconfigs', () => {
  it('finds where k3s serves the API and points a copy at the local tunnel, leaving the rest alone', async () => {
    const kc = await loadKubeconfig(kubeconfig('https://127.0.0.1:6443'), 'k3s.yaml');
    expect(apiServerAddress(kc, 'k3s.yaml')).toMatchObject({ host: '127.0.0.1', port: 6443 });
    const local = await throughLocalPort(kc, 41234);
    expect(local.getCurrentCluster()).toMatchObject({ name: 'default', server: 'https://127.0.0.1:41234', caData: 'Y2E=' });
    expect(local.getCurrentCluster()!.tlsServerName).toBeUndefined();
    expect(local.getCurrentUser()).toMatchObject({ certData: 'Y2VydA==', keyData: 'a2V5' });
    expect(local.clusters.find((c) => c.name === 'other')!.server).toBe('https://10.0.0.9:6443');
    // The original is not modified.
    expect(kc.getCurrentCluster()!.server).toBe('https://127.0.0.1:6443');
  });

  it('keeps a host name as the TLS server name, and treats 0.0.0.0 and localhost as the node itself', async () => {
    const named = await throughLocalPort(await loadKubeconfig(kubeconfig('https://edge-01.plant.local:6443'), 'x'), 5000);
    expect(named.getCurrentCluster()).toMatchObject({ server: 'https://127.0.0.1:5000', tlsServerName: 'edge-01.plant.local' });
    expect(apiServerAddress(await loadKubeconfig(kubeconfig('https://0.0.0.0:6443'), 'x'), 'x').host).toBe('127.0.0.1');
    expect(apiServerAddress(await loadKubeconfig(kubeconfig('https://localhost'), 'x'), 'x')).toMatchObject({ host: '127.0.0.1', port: 443 });
  });

  it('selects a context, and names the available ones when the chosen one is missing', async () => {
    const kc = await loadKubeconfig(kubeconfig('https://127.0.0.1:6443'), 'site.yaml', 'other');
    expect(kc.getCurrentCluster()!.name).toBe('other');
    await expect(loadKubeconfig(kubeconfig('https://127.0.0.1:6443'), 'site.yaml', 'prod')).rejects.toMatchObject({ code: 'edge.kubeContextMissing', message: 'site.yaml has no context "prod". It has: default, other. Choose one of those in the node\'s profile.' });
  });

  it('says which file is not a kubeconfig', async () => {
    await expect(loadKubeconfig(': : not yaml [', '/etc/rancher/k3s/k3s.yaml on edge-01')).rejects.toMatchObject({ code: 'edge.kubeconfigInvalid', message: expect.stringContaining('/etc/rancher/k3s/k3s.yaml on edge-01') });
    await expect(loadKubeconfig('apiVersion: v1\nkind: Config\n', 'empty.yaml')).rejects.toMatchObject({ code: 'edge.kubeconfigInvalid' });
  });
});

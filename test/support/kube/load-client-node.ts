/**
 * Loads @kubernetes/client-node for tests. package.json pins undici 6 under it (client-node 2.x's undici 8
 * needs Node >= 22.19), so a plain import works on this machine's Node 20.
 */
type ClientNode = typeof import('@kubernetes/client-node');

/** Returns the module, or a reason it cannot load here (the caller skips with that reason). */
export async function loadClientNode(): Promise<{ k8s?: ClientNode; reason?: string }> {
  try {
    return { k8s: await import('@kubernetes/client-node') };
  } catch (err) {
    return { reason: `@kubernetes/client-node cannot load on Node ${process.versions.node}: ${(err as Error).message}` };
  }
}

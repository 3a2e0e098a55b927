import { FieldbenchError } from '@shared/errors';
import { KubeApiError } from './aio-kube-client';

/** "conflict with \"kubectl-client-side-apply\" using v1: .spec.ports" → the managers named in a 409. */
export function conflictManagers(err: KubeApiError): string[] {
  const text = [err.body?.message ?? '', ...(err.body?.details?.causes ?? []).map((c) => c.message ?? '')].join('\n');
  return [...new Set([...text.matchAll(/conflict with "([^"]+)"/g)].map((m) => m[1]!))];
}

/** The fields a 409 apply conflict names, e.g. `.spec.ports[port=8883].tls.certManagerCertificateSpec.issuerRef.name`. */
export function conflictFields(err: KubeApiError): string[] {
  return (err.body?.details?.causes ?? []).map((c) => c.field ?? '').filter(Boolean);
}

/** A 422's causes as plain words: `spec.ports[0].nodePort: provided port is not in the valid range…`. */
export function invalidCauses(err: KubeApiError): string[] {
  const causes = err.body?.details?.causes ?? [];
  if (causes.length === 0) return err.body?.message ? [err.body.message] : [];
  return causes.map((c) => (c.field ? `${c.field}: ${c.message ?? c.reason ?? 'invalid'}` : (c.message ?? c.reason ?? 'invalid')));
}

/**
 * Turns an API failure into a sentence that says what happened and what to do. `what` names the action
 * ("apply BrokerListener loadbalancer-listener"), `via` how the cluster was reached.
 */
export function explainKubeError(err: unknown, what: string, via = 'the cluster'): FieldbenchError {
  if (err instanceof FieldbenchError) return err;
  if (!(err instanceof KubeApiError)) return new FieldbenchError('aio.failed', `Could not ${what}. The details say why.`, { cause: err });
  if (err.network) {
    // KubeAccess descriptions read "through SSH to edge-01"; don't say "through" twice.
    const route = via.replace(/^through /, '');
    return new FieldbenchError('aio.connection', `The connection to the Kubernetes API through ${route} dropped while trying to ${what}. Check the node is reachable and run it again.`, { cause: err });
  }
  const status = err.status ?? 0;
  const serverMessage = err.body?.message ?? err.message;
  const detail = `HTTP ${status}${err.body?.reason ? ` ${err.body.reason}` : ''}: ${serverMessage}`;
  switch (status) {
    case 401:
      return new FieldbenchError('aio.unauthorized', `The Kubernetes API did not accept the node's credentials when trying to ${what}. The kubeconfig's token or certificate may have expired; reconnect the node or refresh its kubeconfig.`, { detail });
    case 403:
      return new FieldbenchError('aio.forbidden', `The Kubernetes user of this node may not ${what}. Use an account with rights in that namespace (on k3s, the admin kubeconfig in /etc/rancher/k3s/k3s.yaml).`, { detail });
    case 404:
      return new FieldbenchError('aio.notFound', `The cluster does not know how to ${what}: the resource type or namespace is missing. Check that Azure IoT Operations (and cert-manager) are installed on this node.`, { detail });
    case 409: {
      const managers = conflictManagers(err);
      if (managers.length > 0) {
        const fields = conflictFields(err);
        return new FieldbenchError(
          'aio.conflict',
          `Could not ${what}: ${fields.length > 0 ? `${fields.slice(0, 3).join(', ')} ${fields.length === 1 ? 'is' : 'are'}` : 'some of its fields are'} owned by ${managers.join(', ')} (another tool or the portal changed them). Apply again with "force" to take them over, or change them where they were set.`,
          { detail },
        );
      }
      return new FieldbenchError('aio.conflict', `Could not ${what}: the object changed on the cluster at the same moment. Run it again.`, { detail });
    }
    case 422: {
      const causes = invalidCauses(err);
      return new FieldbenchError('aio.invalid', `The cluster refused to ${what}: ${causes.slice(0, 5).join('; ')}. Correct ${causes.length === 1 ? 'that field' : 'those fields'} and try again.`, { detail });
    }
    default:
      if (status >= 500) return new FieldbenchError('aio.server', `The Kubernetes API failed while trying to ${what} (HTTP ${status}). Wait a moment and run it again.`, { detail });
      return new FieldbenchError('aio.failed', `The Kubernetes API refused to ${what} (HTTP ${status}): ${serverMessage}`, { detail });
  }
}

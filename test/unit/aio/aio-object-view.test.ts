import { describe, expect, it } from 'vitest';
import { conflictManagers, explainKubeError, invalidCauses } from '../../../src/main/services/aio/aio-kube-errors';
import { KubeApiError } from '../../../src/main/services/aio/aio-kube-client';
import { comparable, isSubset, objectDiff, redact } from '../../../src/main/services/aio/aio-object-view';
import type { KubeObject } from '../../../src/main/services/aio/aio-resources';

const secret = (key: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', resourceVersion: '7', managedFields: [{}] }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0', 'tls.key': key } });

describe('what people see of objects', () => {
  it('hides Secret keys behind a fingerprint but shows certificates, and the diff still shows a key change', () => {
    const r = redact(secret('c2VjcmV0LWtleQ=='));
    expect((r['data'] as Record<string, string>)['tls.crt']).toBe('Y3J0');
    expect((r['data'] as Record<string, string>)['tls.key']).toMatch(/^<hidden: sha256 [0-9a-f]{12}>$/);
    const diff = objectDiff('Secret s', secret('b2xk'), secret('bmV3'));
    expect(diff).toMatch(/- {2}tls\.key: "?<hidden: sha256 [0-9a-f]{12}>/);
    expect(diff).not.toMatch(/b2xk|bmV3/);
    expect(objectDiff('Secret s', secret('b2xk'), { ...secret('b2xk'), metadata: { name: 's', resourceVersion: '9' } })).toBe('');
    expect(comparable(secret('x')).metadata).toEqual({ name: 's' });
  });

  it('isSubset compares what an apply sets', () => {
    expect(isSubset({ spec: { a: 1, l: [{ p: 1 }] } }, { spec: { a: 1, b: 2, l: [{ p: 1, q: 2 }] } })).toBe(true);
    expect(isSubset({ spec: { a: 1 } }, { spec: { a: 2 } })).toBe(false);
    expect(isSubset({ l: [1, 2] }, { l: [1] })).toBe(false);
  });
});

describe('API errors as sentences', () => {
  const apiError = (status: number, body: object) => new KubeApiError('x', status, body, false);

  it('names the other field managers of a 409 apply conflict', () => {
    const e = apiError(409, {
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "azure-portal" using mqttbroker.iotoperations.azure.com/v1: .spec.serviceType',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "azure-portal" using mqttbroker.iotoperations.azure.com/v1', field: '.spec.serviceType' }] },
    });
    expect(conflictManagers(e)).toEqual(['azure-portal']);
    expect(explainKubeError(e, 'apply BrokerListener lb').message).toBe('Could not apply BrokerListener lb: .spec.serviceType is owned by azure-portal (another tool or the portal changed them). Apply again with "force" to take them over, or change them where they were set.');
    expect(explainKubeError(apiError(409, { reason: 'Conflict', message: 'the object has been modified' }), 'apply X').message).toMatch(/changed on the cluster at the same moment/);
  });

  it('turns 422 causes, 401, 403, 404, 5xx and dropped connections into codes and sentences', () => {
    const invalid = apiError(422, { reason: 'Invalid', message: 'BrokerListener "x" is invalid', details: { causes: [{ field: 'spec.ports[0].nodePort', message: 'Invalid value: 80: provided port is not in the valid range' }] } });
    expect(invalidCauses(invalid)).toEqual(['spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range']);
    expect(explainKubeError(invalid, 'apply BrokerListener x')).toMatchObject({ code: 'aio.invalid', message: 'The cluster refused to apply BrokerListener x: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. Correct that field and try again.' });
    expect(explainKubeError(apiError(401, {}), 'a').code).toBe('aio.unauthorized');
    expect(explainKubeError(apiError(403, {}), 'a').code).toBe('aio.forbidden');
    expect(explainKubeError(apiError(404, {}), 'a').code).toBe('aio.notFound');
    expect(explainKubeError(apiError(503, {}), 'a').code).toBe('aio.server');
    const dropped = explainKubeError(new KubeApiError('socket hang up', undefined, undefined, true), 'apply Secret s', 'through SSH to edge-01 (127.0.0.1:6443 on the node)');
    expect(dropped).toMatchObject({ code: 'aio.connection', message: 'The connection to the Kubernetes API through SSH to edge-01 (127.0.0.1:6443 on the node) dropped while trying to apply Secret s. Check the node is reachable and run it again.' });
  });
});

import { describe, expect, it } from 'vitest';
import { customResourceVerdict, deploymentVerdict } from './deployment-health.js';

describe('deploymentVerdict', () => {
  it('is ready when every wanted replica is available and the Available condition holds', () => {
    const verdict = deploymentVerdict({
      metadata: { name: 'addispay-order-service' },
      spec: { replicas: 2 },
      status: {
        availableReplicas: 2,
        conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
      },
    });
    expect(verdict).toEqual({
      kind: 'Deployment',
      name: 'addispay-order-service',
      ready: true,
      detail: '2/2 available (MinimumReplicasAvailable)',
    });
  });

  it('is not ready with replicas missing, or without status yet', () => {
    const partial = {
      spec: { replicas: 3 },
      status: { availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
    };
    expect(deploymentVerdict(partial).ready).toBe(false);
    expect(deploymentVerdict({ metadata: { name: 'new' } }).ready).toBe(false);
  });
});

describe('customResourceVerdict', () => {
  it('reads the Ready condition of KAAP and pulsar-resources-operator objects', () => {
    const ready = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const failing = { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ReconcileError' }] } };
    expect(customResourceVerdict('PulsarTopic', ready).ready).toBe(true);
    expect(customResourceVerdict('PulsarCluster', failing)).toMatchObject({
      ready: false,
      detail: 'Ready=False (ReconcileError)',
    });
    expect(customResourceVerdict('PulsarTenant', {}).detail).toBe('no Ready condition reported yet');
  });

  it('reads the cluster state of an InnoDBCluster', () => {
    expect(customResourceVerdict('InnoDBCluster', { status: { cluster: { status: 'ONLINE' } } }).ready).toBe(true);
    expect(customResourceVerdict('InnoDBCluster', { status: { cluster: { status: 'PENDING' } } }).ready).toBe(false);
  });
});

/**
 * What "ready" means for each kind of object a platform deployment consists of, decided from the object alone:
 * pure, so that every rule is tested without a cluster.
 */
export interface Verdict {
  readonly kind: string;
  readonly name: string;
  readonly ready: boolean;
  readonly detail: string;
}

interface Condition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface KubeObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly availableReplicas?: number;
    readonly cluster?: { readonly status?: string; readonly onlineInstances?: number };
  };
}

/** The custom resources the platform relies on, and where the Kubernetes API serves them. */
export const OPERATOR_RESOURCES = [
  { kind: 'PulsarCluster', group: 'kaap.oss.datastax.com', version: 'v1beta1', plural: 'pulsarclusters' },
  { kind: 'InnoDBCluster', group: 'mysql.oracle.com', version: 'v2', plural: 'innodbclusters' },
  { kind: 'PulsarTenant', group: 'resource.streamnative.io', version: 'v1alpha1', plural: 'pulsartenants' },
  { kind: 'PulsarNamespace', group: 'resource.streamnative.io', version: 'v1alpha1', plural: 'pulsarnamespaces' },
  { kind: 'PulsarTopic', group: 'resource.streamnative.io', version: 'v1alpha1', plural: 'pulsartopics' },
] as const;

export function deploymentVerdict(deployment: KubeObject): Verdict {
  const name = deployment.metadata?.name ?? '?';
  const wanted = deployment.spec?.replicas ?? 1;
  const available = deployment.status?.availableReplicas ?? 0;
  const condition = findCondition(deployment, 'Available');
  const ready = available >= wanted && condition?.status === 'True';
  return { kind: 'Deployment', name, ready, detail: `${available}/${wanted} available${describe(condition)}` };
}

export function customResourceVerdict(kind: string, resource: KubeObject): Verdict {
  const name = resource.metadata?.name ?? '?';
  // Oracle's operator reports the cluster's state as a word, not as conditions.
  if (kind === 'InnoDBCluster') {
    const state = resource.status?.cluster?.status ?? 'unknown';
    return { kind, name, ready: state === 'ONLINE', detail: `cluster ${state}` };
  }
  const condition = findCondition(resource, 'Ready');
  if (!condition) return { kind, name, ready: false, detail: 'no Ready condition reported yet' };
  return { kind, name, ready: condition.status === 'True', detail: `Ready=${condition.status}${describe(condition)}` };
}

function findCondition(object: KubeObject, type: string): Condition | undefined {
  return object.status?.conditions?.find((condition) => condition.type === type);
}

function describe(condition: Condition | undefined): string {
  const why = condition?.reason ?? condition?.message;
  return why ? ` (${why})` : '';
}

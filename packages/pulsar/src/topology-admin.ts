import type { Topology } from './topology.js';

export interface AdminOptions {
  /** The broker's web service, e.g. http://127.0.0.1:8080. */
  readonly adminUrl: string;
  readonly token?: string | undefined;
}

export interface ApplyOptions extends AdminOptions {
  /** Clusters the tenant may use, instead of the file's (in Kubernetes: the Pulsar cluster's name). */
  readonly allowedClusters?: readonly string[] | undefined;
  /**
   * Only the subscriptions (consumers' and dead-letter review): the tenant, namespace and topics are someone
   * else's, e.g. pulsar-resources-operator resources, which cannot hold subscriptions.
   */
  readonly subscriptionsOnly?: boolean;
}

/** A refusal of the admin API, with its HTTP status (404: not there yet; 5xx: the broker is not ready). */
export class PulsarAdminError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PulsarAdminError';
  }
}

export interface ApplyReport {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/**
 * Creates the tenant, namespace (with its policies), topics, subscriptions and dead-letter topics of a topology.
 * Idempotent: what exists already is left alone (409), policies are set every time. Subscriptions are created
 * here, not by the first consumer, so messages published before a service first connects are kept for it.
 */
export async function applyTopology(topology: Topology, options: ApplyOptions): Promise<ApplyReport> {
  const admin = adminClient(options);
  const created: string[] = [];
  const existing: string[] = [];
  const create = async (what: string, path: string, body?: unknown): Promise<void> => {
    if (await admin.put(path, body)) created.push(what);
    else existing.push(what);
  };
  const ns = topology.namespace.name;
  const withTopics = options.subscriptionsOnly !== true;

  if (withTopics) {
    await create(`tenant ${topology.tenant}`, `/admin/v2/tenants/${topology.tenant}`, {
      allowedClusters: options.allowedClusters ?? topology.allowedClusters,
      adminRoles: [],
    });
    await create(`namespace ${ns}`, `/admin/v2/namespaces/${ns}`);
    await admin.post(`/admin/v2/namespaces/${ns}/retention`, {
      retentionTimeInMinutes: topology.namespace.retention.timeInMinutes,
      retentionSizeInMB: topology.namespace.retention.sizeInMB,
    });
    await admin.post(`/admin/v2/namespaces/${ns}/deduplication`, topology.namespace.deduplication);
  }

  for (const topic of topology.topics) {
    if (withTopics) await create(`topic ${topic.fullName}`, topicPath(topic.fullName));
    for (const sub of topic.subscriptions) {
      await create(
        `subscription ${topic.name}/${sub.subscription}`,
        subscriptionPath(topic.fullName, sub.subscription),
      );
    }
  }
  for (const dlq of topology.deadLetterTopics) {
    if (withTopics) await create(`topic ${dlq}`, topicPath(dlq));
    await create(
      `subscription ${dlq}/${topology.deadLetterSubscription}`,
      subscriptionPath(dlq, topology.deadLetterSubscription),
    );
  }
  return { created, existing };
}

/** Deletes topics (and their subscriptions) for good: test suites clean up their own topics with it. */
export async function deleteTopics(topics: readonly string[], options: AdminOptions): Promise<void> {
  const admin = adminClient(options);
  for (const topic of topics) await admin.delete(`${topicPath(topic)}?force=true`);
}

function topicPath(fullName: string): string {
  const match = /^persistent:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(fullName);
  if (!match) throw new Error(`not a persistent topic name: ${fullName}`);
  return `/admin/v2/persistent/${match[1]}/${match[2]}/${encodeURIComponent(match[3] ?? '')}`;
}

function subscriptionPath(topic: string, subscription: string): string {
  return `${topicPath(topic)}/subscription/${encodeURIComponent(subscription)}`;
}

function adminClient(options: AdminOptions) {
  const base = options.adminUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  /** Returns true when the call changed something, false on 409 (already there) or 404 on delete. */
  const call = async (method: string, path: string, body: unknown, tolerated: number): Promise<boolean> => {
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(30_000) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(`${base}${path}`, init);
    if (response.ok) return true;
    if (response.status === tolerated) return false;
    const text = (await response.text()).slice(0, 500);
    throw new PulsarAdminError(`Pulsar admin ${method} ${path} answered ${response.status}: ${text}`, response.status);
  };
  return {
    put: (path: string, body?: unknown) => call('PUT', path, body, 409),
    post: (path: string, body: unknown) => call('POST', path, body, 0),
    delete: (path: string) => call('DELETE', path, undefined, 404),
  };
}

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { SubscriptionOptions, SubscriptionType } from './transport.js';

/** A durable subscription, ready to hand to `PulsarTransport.subscribe` or `consume`. */
export interface SubscriptionDefinition extends SubscriptionOptions {
  /** Fully qualified: persistent://tenant/namespace/topic. */
  readonly topic: string;
  readonly subscription: string;
  readonly type: SubscriptionType;
  readonly negativeAckRedeliveryDelayMs: number;
  readonly deadLetter: { readonly topic: string; readonly maxRedeliverCount: number };
}

export interface TopicDefinition {
  /** Short name as written in topology.yaml (plus the test suffix, if any). */
  readonly name: string;
  /** persistent://tenant/namespace/name */
  readonly fullName: string;
  readonly description: string;
  readonly subscriptions: readonly SubscriptionDefinition[];
}

export interface NamespaceDefinition {
  /** tenant/namespace */
  readonly name: string;
  readonly retention: { readonly timeInMinutes: number; readonly sizeInMB: number };
  readonly deduplication: boolean;
}

export interface Topology {
  readonly tenant: string;
  readonly allowedClusters: readonly string[];
  readonly namespace: NamespaceDefinition;
  readonly topics: readonly TopicDefinition[];
  /** Fully qualified names of every dead-letter topic. */
  readonly deadLetterTopics: readonly string[];
  /** Durable subscription created on every dead-letter topic so nothing there expires unseen. */
  readonly deadLetterSubscription: string;
  /** The topic named `name` in topology.yaml (without any test suffix); throws if there is none. */
  topic(name: string): TopicDefinition;
  subscription(topicName: string, subscriptionName: string): SubscriptionDefinition;
}

/** Lets a test suite work on its own topics: same settings, distinct names. */
export interface TopologyRename {
  /** Appended to every topic and dead-letter topic name, e.g. `-3f9c`. */
  readonly topicSuffix?: string;
  /** Replaces the namespace name (not the tenant). */
  readonly namespace?: string;
}

export const DEFAULT_TOPOLOGY_PATH = new URL('../topology.yaml', import.meta.url);

export class TopologyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid Pulsar topology:\n  - ${problems.join('\n  - ')}`);
    this.name = 'TopologyError';
  }
}

export function loadTopology(options: { path?: string | URL } & TopologyRename = {}): Topology {
  return parseTopology(readFileSync(options.path ?? DEFAULT_TOPOLOGY_PATH, 'utf8'), options);
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const SUBSCRIPTION_TYPES: readonly SubscriptionType[] = ['Exclusive', 'Shared', 'Failover', 'Key_Shared'];

export function parseTopology(text: string, rename: TopologyRename = {}): Topology {
  const problems: string[] = [];
  const raw = asRecord(parse(text), 'topology', problems);
  const tenant = name(raw.tenant, 'tenant', problems);
  const allowedClusters = stringList(raw.allowedClusters, 'allowedClusters', problems);
  const deadLetterSubscription = name(raw.deadLetterSubscription, 'deadLetterSubscription', problems);
  const rawNamespace = asRecord(raw.namespace, 'namespace', problems);
  const namespaceName = rename.namespace ?? name(rawNamespace.name, 'namespace.name', problems);
  const retention = asRecord(rawNamespace.retention, 'namespace.retention', problems);
  const namespace: NamespaceDefinition = {
    name: `${tenant}/${namespaceName}`,
    retention: {
      timeInMinutes: integer(retention.timeInMinutes, 'namespace.retention.timeInMinutes', problems, -1),
      sizeInMB: integer(retention.sizeInMB, 'namespace.retention.sizeInMB', problems, -1),
    },
    deduplication: boolean(rawNamespace.deduplication, 'namespace.deduplication', problems),
  };
  const suffix = rename.topicSuffix ?? '';
  if (suffix !== '' && !/^[a-zA-Z0-9_.-]+$/.test(suffix)) problems.push(`topic suffix "${suffix}" is not a name`);
  const fullName = (short: string): string => `persistent://${namespace.name}/${short}${suffix}`;

  const rawTopics = Array.isArray(raw.topics) ? (raw.topics as unknown[]) : [];
  if (rawTopics.length === 0) problems.push('topics: expected a non-empty list');
  const topics = rawTopics.map((entry, index) => parseTopic(entry, `topics[${index}]`, fullName, suffix, problems));
  checkUnique(
    topics.map((topic) => topic.name),
    'topic',
    problems,
  );
  const deadLetterTopics = topics.flatMap((topic) => topic.subscriptions.map((sub) => sub.deadLetter.topic));
  checkUnique(deadLetterTopics, 'dead-letter topic', problems);
  for (const dlq of deadLetterTopics) {
    if (topics.some((topic) => topic.fullName === dlq)) problems.push(`dead-letter topic ${dlq} is also a topic`);
  }
  if (problems.length > 0) throw new TopologyError(problems);

  const topic = (short: string): TopicDefinition => {
    const found = topics.find((candidate) => candidate.name === `${short}${suffix}`);
    if (!found) throw new Error(`topology.yaml has no topic "${short}"`);
    return found;
  };
  return {
    tenant,
    allowedClusters,
    namespace,
    topics,
    deadLetterTopics,
    deadLetterSubscription,
    topic,
    subscription(topicName, subscriptionName) {
      const found = topic(topicName).subscriptions.find((sub) => sub.subscription === subscriptionName);
      if (!found) throw new Error(`topology.yaml has no subscription "${subscriptionName}" on topic "${topicName}"`);
      return found;
    },
  };
}

function parseTopic(
  entry: unknown,
  path: string,
  fullName: (short: string) => string,
  suffix: string,
  problems: string[],
): TopicDefinition {
  const raw = asRecord(entry, path, problems);
  const short = name(raw.name, `${path}.name`, problems);
  const description = typeof raw.description === 'string' ? raw.description : '';
  const rawSubscriptions = raw.subscriptions ?? [];
  if (!Array.isArray(rawSubscriptions)) problems.push(`${path}.subscriptions: expected a list`);
  const subscriptions = (Array.isArray(rawSubscriptions) ? (rawSubscriptions as unknown[]) : []).map(
    (sub, index): SubscriptionDefinition => {
      const at = `${path}.subscriptions[${index}]`;
      const rawSub = asRecord(sub, at, problems);
      const type = rawSub.type as SubscriptionType;
      if (!SUBSCRIPTION_TYPES.includes(type)) {
        problems.push(`${at}.type: expected one of ${SUBSCRIPTION_TYPES.join(', ')}, got ${String(rawSub.type)}`);
      }
      return {
        topic: fullName(short),
        subscription: name(rawSub.name, `${at}.name`, problems),
        type,
        negativeAckRedeliveryDelayMs: integer(
          rawSub.negativeAckRedeliveryDelayMs,
          `${at}.negativeAckRedeliveryDelayMs`,
          problems,
          0,
        ),
        deadLetter: {
          topic: fullName(name(rawSub.deadLetterTopic, `${at}.deadLetterTopic`, problems)),
          maxRedeliverCount: integer(rawSub.maxRedeliverCount, `${at}.maxRedeliverCount`, problems, 1),
        },
      };
    },
  );
  checkUnique(
    subscriptions.map((sub) => sub.subscription),
    `${path} subscription`,
    problems,
  );
  return { name: `${short}${suffix}`, fullName: fullName(short), description, subscriptions };
}

function asRecord(value: unknown, path: string, problems: string[]): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(`${path}: expected a mapping`);
  return {};
}

function name(value: unknown, path: string, problems: string[]): string {
  if (typeof value === 'string' && NAME.test(value)) return value;
  problems.push(`${path}: expected a name (letters, digits, - _ .), got ${JSON.stringify(value)}`);
  return '';
}

function integer(value: unknown, path: string, problems: string[], min: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  problems.push(`${path}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  return min;
}

function boolean(value: unknown, path: string, problems: string[]): boolean {
  if (typeof value === 'boolean') return value;
  problems.push(`${path}: expected true or false, got ${JSON.stringify(value)}`);
  return false;
}

function stringList(value: unknown, path: string, problems: string[]): string[] {
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) {
    return value as string[];
  }
  problems.push(`${path}: expected a non-empty list of names`);
  return [];
}

function checkUnique(names: readonly string[], what: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const item of names) {
    if (seen.has(item)) problems.push(`${what} "${item}" is defined twice`);
    seen.add(item);
  }
}

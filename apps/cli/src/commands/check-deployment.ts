import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { orderV1 } from '@addispay/api';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PortForward } from '@kubernetes/client-node';
import { orderClient } from '../clients.js';
import { UsageError, type CommandContext } from '../command.js';
import {
  customResourceVerdict,
  deploymentVerdict,
  OPERATOR_RESOURCES,
  type KubeObject,
  type Verdict,
} from '../deployment-health.js';
import { statusName } from '../format.js';

/**
 * `check-deployment`: is the platform in a cluster working? Operator resources ready, Deployments available, and
 * one order placed end to end through a port-forward to the order service. Exit code 1 when anything is not.
 */
export async function checkDeployment(context: CommandContext): Promise<void> {
  const { values } = context.parse({
    namespace: { type: 'string', default: 'addispay' },
    context: { type: 'string' },
    release: { type: 'string', default: 'addispay' },
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  if (values.context) kubeConfig.setCurrentContext(values.context);
  if (!hasKubeConfig()) {
    throw new UsageError('no kubeconfig: set KUBECONFIG (or create ~/.kube/config) for the kind or EKS cluster');
  }
  const namespace = values.namespace;
  const selector = `app.kubernetes.io/instance=${values.release}`;

  const verdicts: Verdict[] = [
    ...(await operatorVerdicts(kubeConfig, namespace)),
    ...(await deploymentVerdicts(kubeConfig, namespace, selector)),
  ];
  verdicts.push(await orderRoundTrip(kubeConfig, namespace, `${selector},app.kubernetes.io/component=order-service`));

  context.print(
    verdicts,
    (all) =>
      all
        .map((verdict) => `${verdict.ready ? 'ok  ' : 'FAIL'}  ${verdict.kind}/${verdict.name}  ${verdict.detail}`)
        .join('\n'),
    (all) => all,
  );
  if (verdicts.some((verdict) => !verdict.ready)) process.exitCode = 1;
}

async function operatorVerdicts(kubeConfig: KubeConfig, namespace: string): Promise<Verdict[]> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const verdicts: Verdict[] = [];
  for (const resource of OPERATOR_RESOURCES) {
    try {
      const list = (await api.listNamespacedCustomObject({ ...resource, namespace })) as { items?: KubeObject[] };
      for (const item of list.items ?? []) verdicts.push(customResourceVerdict(resource.kind, item));
    } catch (error) {
      // A kind the cluster does not serve is an operator not installed: optional ones (an external MySQL) are fine.
      verdicts.push({ kind: resource.kind, name: '*', ready: true, detail: `not checked: ${shortError(error)}` });
    }
  }
  return verdicts;
}

async function deploymentVerdicts(
  kubeConfig: KubeConfig,
  namespace: string,
  labelSelector: string,
): Promise<Verdict[]> {
  const list = await kubeConfig.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace, labelSelector });
  if (list.items.length === 0) return [{ kind: 'Deployment', name: labelSelector, ready: false, detail: 'none found' }];
  return list.items.map((deployment) => deploymentVerdict(deployment as KubeObject));
}

/** Places one order with the approving test token through a port-forward and expects it PAID. */
async function orderRoundTrip(kubeConfig: KubeConfig, namespace: string, labelSelector: string): Promise<Verdict> {
  const pods = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector });
  const pod = pods.items.find((candidate) => candidate.status?.phase === 'Running');
  if (!pod?.metadata?.name)
    return { kind: 'OrderRoundTrip', name: 'order-service', ready: false, detail: 'no running pod' };
  const port = pod.spec?.containers[0]?.ports?.find((candidate) => candidate.name === 'grpc')?.containerPort ?? 50051;

  const forward = new PortForward(kubeConfig);
  const podName = pod.metadata.name;
  const listener = createServer((socket) => void forward.portForward(namespace, podName, [port], socket, null, socket));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { client, channel } = orderClient(`127.0.0.1:${(listener.address() as AddressInfo).port}`);
  try {
    const { order } = await client.placeOrder(
      {
        idempotencyKey: `check-${randomUUID()}`,
        customerId: 'deployment-check',
        currency: 'USD',
        paymentMethodToken: 'tok_approve',
        items: [{ sku: 'CHECK', quantity: 1, unitPriceMinor: 100n }],
      },
      { deadline: new Date(Date.now() + 15_000) },
    );
    const status = order ? statusName(order.status) : 'none';
    const paid = order?.status === orderV1.OrderStatus.ORDER_STATUS_PAID;
    return { kind: 'OrderRoundTrip', name: podName, ready: paid, detail: `order ${order?.orderId ?? '?'} ${status}` };
  } catch (error) {
    return { kind: 'OrderRoundTrip', name: podName, ready: false, detail: shortError(error) };
  } finally {
    channel.close();
    listener.close();
  }
}

/** client-node quietly falls back to http://localhost:8080 without one; say so instead. */
function hasKubeConfig(): boolean {
  return Boolean(
    process.env['KUBECONFIG'] ||
    process.env['KUBERNETES_SERVICE_HOST'] ||
    existsSync(join(homedir(), '.kube', 'config')),
  );
}

function shortError(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160);
}

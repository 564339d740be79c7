import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export interface OpsServerOptions {
  readonly port: number;
  readonly host?: string;
  /**
   * Ready to take traffic: started, dependencies answering, not shutting down. Asked on every GET /readyz; a
   * rejection or a `false` answers 503.
   */
  readonly isReady: () => boolean | Promise<boolean>;
}

/**
 * The HTTP side door every service opens first thing: Prometheus scrapes /metrics, Kubernetes probes /livez and
 * /readyz. /livez answers as long as the process serves HTTP, whatever its dependencies do: a broker or database
 * that is away (still starting, failing over) must make a pod unready, never restart it. /readyz is where
 * dependencies count.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metricsRegistry
        .metrics()
        .then((body) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body))
        .catch(() => response.writeHead(500).end());
      return;
    }
    if (path === '/livez') return void response.writeHead(200).end('ok\n');
    if (path === '/readyz') {
      Promise.resolve()
        .then(options.isReady)
        .catch(() => false)
        .then((ready) => response.writeHead(ready ? 200 : 503).end(ready ? 'ready\n' : 'not ready\n'));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return server;
}

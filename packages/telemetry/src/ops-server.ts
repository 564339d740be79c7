import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export interface OpsServerOptions {
  readonly port: number;
  readonly host?: string;
  /** Ready to take traffic: dependencies connected, not shutting down. */
  readonly isReady: () => boolean;
}

/** The HTTP side door every service opens: Prometheus scrapes /metrics, Kubernetes probes /livez and /readyz. */
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
      const ready = options.isReady();
      return void response.writeHead(ready ? 200 : 503).end(ready ? 'ready\n' : 'not ready\n');
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return server;
}

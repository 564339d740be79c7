#!/usr/bin/env node
import { Status } from 'nice-grpc';
import { ClientError } from 'nice-grpc-common';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { commandContext, UsageError, type CommandContext } from './command.js';
import { checkDeployment } from './commands/check-deployment.js';
import { load } from './commands/load.js';
import { logs } from './commands/logs.js';
import { cancel, get, list, place, watch } from './commands/orders.js';

const USAGE = `Usage: addispay <command> [options] [--json]

Orders (ORDER_ADDR, default 127.0.0.1:50051):
  place  --customer ID --item SKU:QTY:UNIT_PRICE_MINOR [--item ...] [--currency USD] [--token tok_approve]
         [--key IDEMPOTENCY_KEY] [--timeout MS]      place an order and wait for its outcome
  get    ORDER_ID                                    show one order
  list   [--customer ID] [--status paid] [--since ISO] [--until ISO] [--limit N] [--page-token T]
  watch  ORDER_ID                                    follow an order until it is final
  cancel ORDER_ID [--reason TEXT]                    cancel an order that is not final yet
  load   --rate N | --concurrency N [--duration 20s] [--timeout MS] [--token T] [--channels 2]
                                                     PlaceOrder under load (open loop at N/s, or N callers):
                                                     latency to a final state, PENDING answers, errors

Logs (LOGGER_ADDR, default 127.0.0.1:50052):
  logs   [--order ID] [--trace ID] [--service NAME] [--level warn] [--since ISO] [--limit N]
                                                     stored log lines of every service, oldest first
                                                     (--json: one JSON object per line)

Kubernetes (the current kubectl context, or --context):
  check-deployment [--namespace addispay] [--release addispay] [--context NAME]
                                                     operator resources ready, Deployments available, and one
                                                     order placed end to end through a port-forward

TLS (both services): --tls-ca FILE (the CA of the servers' certificates), and for mutual TLS --tls-cert FILE
  --tls-key FILE; or ADDISPAY_TLS_CA_FILE, ADDISPAY_TLS_CERT_FILE, ADDISPAY_TLS_KEY_FILE.

Test tokens: tok_approve, tok_decline, tok_insufficient_funds, tok_timeout, tok_processor_error.
`;

const commands: Record<string, (context: CommandContext) => Promise<void>> = {
  place,
  get,
  list,
  watch,
  cancel,
  load,
  logs,
  'check-deployment': checkDeployment,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command || name === '--help' || name === 'help') {
    process.stdout.write(USAGE);
    return name && !command && name !== '--help' && name !== 'help' ? 2 : 0;
  }
  try {
    await command(commandContext(args, process.env));
    return 0;
  } catch (error) {
    return report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ClientError) {
    process.stderr.write(`error: ${Status[error.code]}: ${error.details}\n`);
    if (error instanceof RichClientError) {
      for (const detail of error.extra) {
        if (detail.$type === BadRequest.$type) {
          for (const violation of detail.fieldViolations)
            process.stderr.write(`  ${violation.field}: ${violation.description}\n`);
        }
      }
    }
    return 1;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));

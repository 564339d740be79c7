/**
 * Runs a service: starts it, and on SIGTERM or SIGINT stops it once, in the order it was built, within a grace
 * period. A configuration error prints its list and exits 2, without a stack trace.
 */
import { ConfigError } from './config.js';

export type Stop = () => Promise<void>;

export async function runService(name: string, start: () => Promise<Stop>, graceMs = 25_000): Promise<void> {
  let stop: Stop;
  try {
    stop = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    const timer = setTimeout(() => {
      process.stderr.write(`${name}: shutdown took longer than ${graceMs} ms, exiting\n`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${name}: error while shutting down: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

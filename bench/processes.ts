/** CPU time and peak memory of the running platform's processes, read from /proc (Linux). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WatchedProcess {
  readonly name: string;
  readonly pid: number;
}

/** The local stack's processes, from the pid files scripts/stack.sh, pulsar.sh and mariadb.sh write. */
export function stackProcesses(root: string): WatchedProcess[] {
  const local = join(root, '.local');
  const files: [string, string][] = [
    ['order-service', join(local, 'run', 'order-service.pid')],
    ['payment-service', join(local, 'run', 'payment-service.pid')],
    ['logger-service', join(local, 'run', 'logger-service.pid')],
    ['pulsar', join(local, 'pulsar', 'pulsar.pid')],
    ['mariadb', join(local, 'mariadb', 'mariadbd.pid')],
  ];
  return files.flatMap(([name, file]) => {
    if (!existsSync(file)) return [];
    const pid = Number(readFileSync(file, 'utf8').trim());
    return existsSync(`/proc/${pid}`) ? [{ name, pid }] : [];
  });
}

/** Ticks are 1/100 s on Linux (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds of this process's children that have exited and been waited for (cutime + cstime). */
export function exitedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** Peak resident set size (VmHWM) in MB. */
export function peakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

/** Resets the peak RSS (VmHWM) to the current RSS, so the next read is the peak of what follows (Linux, root
 * or the process owner). Returns false where that is not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Environment variables the process was started with, for the tuning knobs in force. */
export function processEnv(pid: number, names: readonly string[]): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const name = entry.slice(0, at);
    if (names.includes(name)) env[name] = entry.slice(at + 1);
  }
  return env;
}

/** CPU seconds each process used while `work` ran. */
export async function measureCpu<T>(
  processes: readonly WatchedProcess[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu_s: Record<string, number>; elapsed_s: number }> {
  const before = processes.map((p) => cpuSeconds(p.pid));
  const started = performance.now();
  const result = await work();
  const elapsed = (performance.now() - started) / 1000;
  const cpu: Record<string, number> = {};
  processes.forEach((p, index) => {
    cpu[p.name] = Math.round((cpuSeconds(p.pid) - (before[index] ?? 0)) * 100) / 100;
  });
  return { result, cpu_s: cpu, elapsed_s: Math.round(elapsed * 10) / 10 };
}

/** The machine's 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

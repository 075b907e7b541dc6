/**
 * @module Memory of the process itself (Linux /proc), for benchmarks that measure peak RSS in a
 * child process of their own, and a helper to run such a child and get its result over IPC.
 *
 * Peak RSS is the kernel's high-water mark, `VmHWM` in /proc/<pid>/status (it sees every
 * allocation, including one inside a long synchronous call that no timer could sample). Writing
 * `5` to /proc/<pid>/clear_refs resets it to the current RSS, so the peak of each run can be
 * measured in turn, by the process itself or by its parent (same user). Off Linux, a process's own
 * `process.resourceUsage().maxRSS` (lifetime peak only) is used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const MiB = 2 ** 20;

/** `self` or another process of the same user (the parent reading a child). */
export type Pid = number | 'self';

function statusKiB(pid: Pid, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Current RSS, bytes. */
export function rssBytes(pid: Pid = 'self'): number {
  const kib = statusKiB(pid, 'VmRSS');
  if (kib !== null) return kib * 1024;
  if (pid === 'self') return process.memoryUsage.rss();
  throw new Error(`no /proc/${pid}/status`);
}

/** Peak RSS since the process started or since the last `resetPeakRss()`, bytes. */
export function peakRssBytes(pid: Pid = 'self'): number {
  const kib = statusKiB(pid, 'VmHWM');
  if (kib !== null) return kib * 1024;
  if (pid === 'self') return process.resourceUsage().maxRSS * 1024;
  throw new Error(`no /proc/${pid}/status`);
}

/** Resets the peak to the current RSS; false where that is not possible (then peaks are lifetime peaks). */
export function resetPeakRss(pid: Pid = 'self'): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Runs a full garbage collection when Node was started with `--expose-gc`. */
export function fullGc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export interface MemoryBreakdown {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/**
 * Samples `process.memoryUsage()` every `intervalMs` and keeps the sample with the highest RSS:
 * what the RSS was made of near its peak (V8 heap, and memory outside it). Timers do not fire
 * during synchronous work, so the sampled peak can be below `VmHWM`.
 */
export function startMemorySampler(intervalMs = 5): { stop(): MemoryBreakdown } {
  let top: MemoryBreakdown = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > top.rss) top = { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return top;
    },
  };
}

export const mib = (bytes: number) => bytes / MiB;

/**
 * Spawns `node <nodeArgs> <script> <args>` with an IPC channel. `talk` gets the child and a
 * function that waits for its next message; the child's stdout and stderr go to ours.
 */
export async function withChild<T>(
  nodeArgs: string[],
  script: string,
  args: string[],
  opts: { cwd?: string },
  talk: (child: ChildProcess, next: () => Promise<Record<string, unknown>>) => Promise<T>,
): Promise<T> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: opts.cwd, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<{ resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  let exited: Error | null = null;
  child.on('message', (m: Record<string, unknown>) => {
    const w = waiting.shift();
    if (w) w.resolve(m);
    else queue.push(m);
  });
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = new Error(`child ${script} ${args.join(' ')} exited (${code ?? signal})`);
      for (const w of waiting.splice(0)) w.reject(exited);
      resolve();
    }),
  );
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const m = queue.shift();
      if (m) return resolve(m);
      if (exited) return reject(exited);
      waiting.push({ resolve, reject });
    });
  try {
    const result = await talk(child, next);
    await exit;
    return result;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Latency figures of a run, in the unit of `values`, rounded to `decimals`; NaN when there are none. */
export interface Latency {
  n: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (the value at rank ⌈p·n⌉), max and mean of `values`. */
export function latencyOf(values: readonly number[], decimals = 2): Latency {
  const v = Float64Array.from(values).sort();
  const q = (p: number) => (v.length ? v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)]! : NaN);
  let sum = 0;
  for (const x of v) sum += x;
  const k = 10 ** decimals;
  const r = (x: number) => Math.round(x * k) / k;
  return {
    n: v.length,
    p50: r(q(0.5)),
    p90: r(q(0.9)),
    p95: r(q(0.95)),
    p99: r(q(0.99)),
    max: r(v.length ? v[v.length - 1]! : NaN),
    mean: r(v.length ? sum / v.length : NaN),
  };
}

/**
 * @module Child processes under test: the gateway (`src/main.ts <role>`) and the bare Hono
 * baseline, each its own Node process, with their JSON log lines kept and their CPU time read
 * from /proc so that a step can say how busy the server was.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where the gateway and worker under test are run from: this checkout, or another one given by
 * BENCH_GATEWAY_ROOT (e.g. an export of an older commit, to measure a change against it).
 */
export const GATEWAY_ROOT = path.resolve(process.env.BENCH_GATEWAY_ROOT ?? ROOT);

/**
 * Which code ran as the gateway and worker: this checkout's commit (and whether it had local
 * changes under `paths`), or BENCH_GATEWAY_ROOT.
 */
export function codeUnderTest(paths: readonly string[] = ['src', 'workers']): string {
  if (GATEWAY_ROOT !== ROOT) return `BENCH_GATEWAY_ROOT=${GATEWAY_ROOT}`;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...paths], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `this checkout, commit ${sha}${dirty ? ` with uncommitted changes in ${paths.map((p) => `${p}/`).join(', ')}` : ''}`;
  } catch {
    return 'this checkout';
  }
}

export interface LogLine {
  level?: number;
  msg?: string;
  time?: number;
  [k: string]: unknown;
}

export interface Service {
  name: string;
  pid: number;
  url: string;
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first log line (seen or to come) matching `pred`. */
  waitFor(pred: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** CPU seconds (user + system) used so far, from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx <script> ...args` with `env`, and waits for the log line carrying the
 * listening URL (`{"url": ...}`), or for `ready` when the process has no HTTP server.
 */
export async function startService(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  ready: (l: LogLine) => boolean = (l) => typeof l.url === 'string' && /listening/.test(String(l.msg)),
  cwd: string = ROOT,
): Promise<Service> {
  // BENCH_PROFILE=1: V8 CPU profiles of the processes under test, in bench/out/prof/ (open in Chrome DevTools).
  const prof = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench', 'out', 'prof')}`] : [];
  // BENCH_NODE_ARGS: extra Node flags for the processes under test (e.g. --trace-gc).
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...prof, ...extra, '--import', 'tsx', script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  // BENCH_LOG_DIR: each process's stdout also goes to <dir>/<name>-<pid>.log.
  const logFile = process.env.BENCH_LOG_DIR ? fs.createWriteStream(path.join(process.env.BENCH_LOG_DIR, `${name}-${child.pid}.log`)) : null;
  readline.createInterface({ input: child.stdout! }).on('line', (text) => {
    logFile?.write(text + '\n');
    let parsed: LogLine;
    try {
      parsed = JSON.parse(text) as LogLine;
    } catch {
      parsed = { msg: text };
    }
    lines.push(parsed);
    if (lines.length > 50_000) lines.splice(0, 10_000);
    for (const l of listeners) l();
  });
  child.on('exit', () => {
    for (const l of listeners) l();
  });
  const tail = () =>
    `\n--- ${name} stdout (last 10) ---\n${lines
      .slice(-10)
      .map((l) => JSON.stringify(l))
      .join('\n')}\n--- stderr ---\n${stderr.slice(-2000)}`;
  const waitFor = (pred: (l: LogLine) => boolean, what: string, timeoutMs = 60_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(pred);
        if (hit) return done(() => resolve(hit));
        if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`${name} exited before logging ${what}${tail()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${name} did not log ${what} within ${timeoutMs} ms${tail()}`))), timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        fn();
      };
      listeners.add(check);
      check();
    });
  const first = await waitFor(ready, 'ready');
  const pid = child.pid!;
  return {
    name,
    pid,
    url: String(first.url ?? ''),
    child,
    lines,
    waitFor,
    cpuSeconds: () => procCpuSeconds(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, seconds (0 when /proc is not there). */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Runs a bench's `main`, exiting with its exit code, or 1 with the stack when it throws. */
export function runMain(main: () => Promise<unknown>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}

/** @module What the benchmark ran on: CPUs, memory, load, Node, Postgres and Redis versions. */
import fs from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import type { Db } from '../../src/store/db.ts';

export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverage: number[];
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  redis: string;
  kernel: string;
}

/** `redisUrl: null` for a bench that uses no Redis (its version is then not asked). */
export async function describeMachine(db: Db, redisUrl: string | null): Promise<Machine> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    // not Linux
  }
  const pgv = (await db.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v;
  const settings: Record<string, string> = {};
  for (const s of ['synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'wal_level', 'commit_delay']) {
    settings[s] = (await db.query<{ v: string }>(`SELECT current_setting('${s}') AS v`)).rows[0]!.v;
  }
  let redis = 'not used';
  if (redisUrl !== null) {
    const r = new Redis(redisUrl, { lazyConnect: true });
    redis = 'unknown';
    try {
      await r.connect();
      const info = await r.info('server');
      redis = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    } finally {
      r.disconnect();
    }
  }
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    postgres: pgv.split(' on ')[0]!,
    postgresSettings: settings,
    redis,
    kernel: `${os.type()} ${os.release()}`,
  };
}

export interface CpuSnapshot {
  at: number;
  procs: Map<number, { cmd: string; cpu: number }>;
}

/** CPU seconds of every process now (Linux /proc). */
export function snapshotCpu(): CpuSnapshot {
  const procs = new Map<number, { cmd: string; cpu: number }>();
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return { at: Date.now(), procs };
  }
  for (const d of dirs) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      procs.set(Number(d), { cmd, cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      // gone meanwhile
    }
  }
  return { at: Date.now(), procs };
}

export interface CpuShare {
  /** Percent of one core, over the interval. */
  [group: string]: number;
}

/**
 * CPU used between two snapshots, in percent of one core, grouped: the named pids, Postgres
 * backends, Redis, and everything else (another test run on the machine shows up there).
 * Processes that exited in between are not counted.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, named: Record<string, number>): { shares: CpuShare; others: string[] } {
  const secs = (b.at - a.at) / 1000;
  const shares: CpuShare = { postgres: 0, redis: 0, other: 0 };
  for (const k of Object.keys(named)) shares[k] = 0;
  const byPid = new Map(Object.entries(named).map(([k, pid]) => [pid, k]));
  const others: Array<{ cmd: string; pct: number }> = [];
  for (const [pid, p] of b.procs) {
    const before = a.procs.get(pid)?.cpu ?? 0;
    const pct = ((p.cpu - before) / secs) * 100;
    if (pct <= 0) continue;
    const name = byPid.get(pid);
    if (name) shares[name] = (shares[name] ?? 0) + pct;
    else if (/^postgres/.test(p.cmd)) shares.postgres = (shares.postgres ?? 0) + pct;
    else if (/redis-server/.test(p.cmd)) shares.redis = (shares.redis ?? 0) + pct;
    else {
      shares.other = (shares.other ?? 0) + pct;
      if (pct >= 5) others.push({ cmd: p.cmd.slice(0, 100), pct });
    }
  }
  for (const k of Object.keys(shares)) shares[k] = Math.round(shares[k]!);
  return {
    shares,
    others: others
      .sort((x, y) => y.pct - x.pct)
      .slice(0, 5)
      .map((o) => `${o.cmd} ${Math.round(o.pct)}%`),
  };
}

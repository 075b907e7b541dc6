/**
 * @module Integration harness: a real gateway on a real port, real Redis, PGlite or Postgres.
 *
 * Each harness gets its own Postgres schema (or the test worker's PGlite, emptied) and BullMQ
 * prefix, so test files run in parallel.
 */
import crypto from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Role } from '../../src/domain/roles.ts';
import { issueOperatorKey } from '../../src/services/keys.ts';
import { createLogger } from '../../src/log.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Redis } from 'ioredis';
import { POSTGRES_URL, REDIS_URL, type Backend } from './backends.ts';
import { leaseTestDb } from './databases.ts';

export interface Harness {
  backend: Backend;
  rt: Runtime;
  url: string;
  config: Config;
  schema: string | null;
  key(role: Role, subject?: string | null): Promise<string>;
  api(method: string, path: string, opts?: { key?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** Every response `api` received, for tests that scan them all (e.g. for answer keys, R-QST-6). */
  responses: Array<{ method: string; path: string; status: number; text: string }>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function startHarness(
  backend: Backend,
  opts: { worker?: boolean; env?: Record<string, string> /** The product's clock (tests that span days). */; now?: () => number } = {},
): Promise<Harness> {
  const id = crypto.randomBytes(4).toString('hex');
  const lease = await leaseTestDb(backend);
  const { schema } = lease;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL,
    QUEUE_PREFIX: `test-${id}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DERIVE_DELAY_MS: '50',
    ...(backend === 'postgres' ? { DATABASE_URL: POSTGRES_URL } : {}),
    ...opts.env,
  });
  const db = lease.db ?? undefined;
  const rt = await startRuntime(config, {
    gateway: true,
    worker: opts.worker ?? true,
    schema: schema ?? undefined,
    db,
    log: createLogger(config.LOG_LEVEL),
    now: opts.now,
  }).catch(async (err: unknown) => {
    await lease.release();
    throw err;
  });
  const url = rt.url!;
  const responses: Harness['responses'] = [];
  return {
    responses,
    backend,
    rt,
    url,
    config,
    schema,
    async key(role, subject = null) {
      return (await issueOperatorKey(rt.db, { role, subject, label: `test ${role}` })).key;
    },
    async api(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.key) headers.authorization = `Bearer ${o.key}`;
      let body: string | Uint8Array | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body: body as BodyInit | undefined });
      const text = await res.text();
      responses.push({ method, path, status: res.status, text });
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await rt.close();
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`test-${id}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
      await lease.release();
    },
  };
}

/** Polls `fn` until it returns a truthy value (derivation runs asynchronously in the worker). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, stepMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** @module Redis connections for BullMQ: one fail-fast for producers, one blocking for workers. */
import { Redis, type RedisOptions } from 'ioredis';

/** `redis://…`, `rediss://…`, or `unix:///path/to/redis.sock` (the private server of `npm start`). */
export function redisOptions(url: string): RedisOptions {
  if (url.startsWith('unix://')) return { path: url.slice('unix://'.length) };
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * Producers fail fast: while Redis is down a request must answer 503 at once, not queue
 * commands in memory (ARCHITECTURE principle 4).
 */
export function producerConnection(url: string): Redis {
  return new Redis({ ...redisOptions(url), enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
}

/** Workers block on Redis and must retry for ever (BullMQ requires `maxRetriesPerRequest: null`). */
export function workerConnection(url: string): Redis {
  return new Redis({ ...redisOptions(url), maxRetriesPerRequest: null });
}

/** Resolves when the connection is ready, rejects after `ms`. */
export async function waitReady(conn: Redis, ms = 3000): Promise<void> {
  if (conn.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${ms} ms`));
    }, ms);
    const ok = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(t);
      conn.off('ready', ok);
    };
    conn.on('ready', ok);
  });
}

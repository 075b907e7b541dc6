/**
 * Decides once per run whether Postgres is there. In CI (CI=true) a missing Postgres or Redis
 * fails the run: the integration suite must run on both databases there.
 */
import net from 'node:net';

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export default async function setup() {
  if (!process.env.TEST_DATABASE_URL) {
    const ok = await answers('127.0.0.1', 5432);
    if (ok) process.env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
    else if (process.env.CI) throw new Error('CI needs Postgres at 127.0.0.1:5432 (or TEST_DATABASE_URL)');
    else console.warn('[test] Postgres not reachable at 127.0.0.1:5432: integration tests run on PGlite only');
  }
  const redis = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  if (!(await answers(redis.hostname, Number(redis.port || 6379)))) {
    throw new Error(`Integration tests need Redis at ${redis.host} (set TEST_REDIS_URL); .ci/run starts one`);
  }
}

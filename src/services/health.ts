/**
 * @module Whether the gateway can do its work: the database answers a query and Redis is
 * connected (without Redis nothing would derive, so ingest refuses and health says so).
 */
import { databaseAnswers } from '../store/db.ts';
import type { ServiceContext } from './context.ts';

export interface Health {
  ok: boolean;
  db: boolean;
  redis: boolean;
}

export async function health(ctx: Pick<ServiceContext, 'db' | 'redisReady'>): Promise<Health> {
  const db = await databaseAnswers(ctx.db);
  const redis = ctx.redisReady();
  return { ok: db && redis, db, redis };
}

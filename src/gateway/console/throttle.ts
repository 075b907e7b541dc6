/**
 * @module Sign-in attempts per client address (R-ACC-4), counted in Redis so that every gateway
 * process shares the count (`rate-limiter-flexible`); when Redis does not answer, each process
 * counts on its own instead of letting attempts through unlimited.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Counts one attempt of `key`; resolves to null when allowed, else to the ms until the next is. */
export type SigninThrottle = (key: string) => Promise<number | null>;

const WINDOW_S = 15 * 60;

export function signinThrottle(opts: { attempts: number; redis?: Redis | undefined; prefix?: string }): SigninThrottle {
  const memory = new RateLimiterMemory({ points: opts.attempts, duration: WINDOW_S, keyPrefix: 'signin' });
  const limiter = opts.redis
    ? new RateLimiterRedis({
        storeClient: opts.redis,
        points: opts.attempts,
        duration: WINDOW_S,
        keyPrefix: `${opts.prefix ?? 'cdl'}:signin`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return async (key) => {
    try {
      await limiter.consume(key);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return e.msBeforeNext;
      throw e;
    }
  };
}

/** @module What the gateway's routers are built from: the operations' context, and how a presented API key is resolved. */
import type { ServiceContext } from '../services/context.ts';
import type { Principal } from './auth.ts';

export interface Deps extends ServiceContext {
  resolveKey: (key: string) => Promise<Principal | null>;
}

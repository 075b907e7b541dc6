/** @module What the gateway's routers are built from: the operations' context, and how a presented API key is resolved. */
import type { ServiceContext } from '../services/context.ts';
import type { Principal } from './auth.ts';
import type { SigninThrottle } from './console/throttle.ts';

export interface Deps extends ServiceContext {
  resolveKey: (key: string) => Promise<Principal | null>;
  /** Sign-in attempts per address (R-ACC-4); without it each app counts in its own memory. */
  signinThrottle?: SigninThrottle;
  /**
   * The public origin of the content server (R-ISO-1), known once it listens; absent where no
   * content server runs (an app without a server): launches then answer 503.
   */
  contentOrigin?: () => string | null;
}

/**
 * @module The provider's events in the console (issue 14): list with status, create and edit,
 * registrations, the Zoom connection. Filled in by the provider-console work.
 */
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { ConsoleEnv } from './session.ts';

export function eventsRoutes(_deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  return app;
}

/**
 * @module An event's attendance, questionnaire and e-learning course in the provider's console
 * (issue 14). Filled in by the provider-console work.
 */
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { ConsoleEnv } from './session.ts';

export function attendanceRoutes(_deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  return app;
}

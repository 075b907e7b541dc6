/**
 * @module What the console's event routes share: the signed-in person, the event of `:id` the
 * person may see (through `getEvent`, so another organiser's event is a 404 like a missing one),
 * the 404 page, a CSV template download.
 */
import type { Context } from 'hono';
import type { ConsolePerson } from '../../pages/console/account-pages.tsx';
import { eventNotFoundPage } from '../../pages/console/events-pages.tsx';
import { UUID_PATTERN } from '../../schemas/common.ts';
import type { Event } from '../../schemas/events.ts';
import { ServiceError } from '../../services/errors.ts';
import { getEvent } from '../../services/registry/events.ts';
import type { Deps } from '../deps.ts';
import { actorOf, type ConsoleEnv } from './session.ts';

const UUID = UUID_PATTERN;

export const person = (c: Context<ConsoleEnv>): ConsolePerson => c.get('staff')!.user;

/** The console's 404 for an event the person may not see (or that does not exist: the same words). */
export function eventNotFound(c: Context<ConsoleEnv>) {
  return c.html(eventNotFoundPage(person(c)), 404);
}

/** The event of `:id` the person may see, or null (then answer `eventNotFound`). */
export async function eventOf(deps: Deps, c: Context<ConsoleEnv>): Promise<Event | null> {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) return null;
  try {
    return await getEvent(deps, actorOf(c), id);
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'event-not-found') return null;
    throw err;
  }
}

export const csvDownload = (c: Context, name: string, body: string) =>
  c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` });

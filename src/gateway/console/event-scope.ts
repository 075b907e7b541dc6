/**
 * @module One event's pages in the console: the event of the path as the signed-in person sees
 * it (the API's `getEvent`: another organiser's event is the same 404 as an unknown one), and a
 * refusal's status for a page.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { eventNotFoundPage, type EventHead } from '../../pages/console/event-frame.tsx';
import type { Actor } from '../../services/actor.ts';
import { ServiceError } from '../../services/errors.ts';
import { getEvent } from '../../services/registry/events.ts';
import type { Deps } from '../deps.ts';
import { actorOf, type ConsoleEnv } from './session.ts';

/** Who opens an event's pages; the operations decide which events (`visibleEvent`: anyone else reads 404). */
export const EVENT_PAGE_ROLES = ['organiser', 'cpo', 'cn'] as const;

const EVENT_ID = z.uuid();

export type EventHandler = (c: Context<ConsoleEnv>, event: EventHead, actor: Actor) => Promise<Response>;

/** Runs `handler` for the event of the path; an unknown event, or one the person may not see, is the 404 page. */
export function forEvent(deps: Deps, handler: EventHandler) {
  return async (c: Context<ConsoleEnv>) => {
    const person = c.get('staff')!.user;
    const id = c.req.param('id') ?? '';
    const actor = actorOf(c);
    try {
      if (!EVENT_ID.safeParse(id).success) throw new ServiceError('event-not-found');
      const e = await getEvent(deps, actor, id);
      const head: EventHead = {
        id: e.id,
        title: e.title,
        mode: e.mode,
        start: new Date(e.start),
        end: new Date(e.end),
        closedAt: e.closedAt ? new Date(e.closedAt) : null,
        toleranceMinutes: e.toleranceMinutes,
      };
      return await handler(c, head, actor);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'event-not-found') return c.html(eventNotFoundPage(person), 404);
      throw err;
    }
  };
}

/** A refusal's HTTP status for a page (the problem table's). */
export const statusOf = (err: ServiceError) => err.status as 400 | 403 | 404 | 409 | 413 | 415 | 422 | 503;

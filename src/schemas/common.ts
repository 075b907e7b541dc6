/** @module Shared zod building blocks: instants, identifiers, problem+json. */
import { z } from '@hono/zod-openapi';

/** What the API says of a refused instant: a time without offset (or not a time) gets this, not zod's bare "Invalid ISO datetime". */
export const INSTANT_MESSAGE = 'Expected an ISO 8601 date-time with offset, e.g. 2026-03-01T14:00:00+01:00 (or Z for UTC): a time without offset is ambiguous';
/** ISO 8601 instant that must carry an offset (`Z` or `±hh:mm`), R-CAL-2: stored as UTC. */
export const Instant = z.iso
  .datetime({ offset: true, error: INSTANT_MESSAGE })
  .openapi({ example: '2026-03-10T14:05:00+01:00', description: 'ISO 8601 instant with offset' });

/** Calendar date on the Europe/Rome calendar, `YYYY-MM-DD`. */
export const IsoDate = z.iso.date().openapi({ example: '2026-03-10' });

export const Uuid = z.uuid();

/**
 * A UUID of any version and variant, in either case: how ids in hand-read paths and member-link
 * subjects are checked (`Uuid` also requires the RFC 9562 version and variant digits).
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id read from a path or a link subject (`UUID_PATTERN`), lower-cased as the store keeps ids. */
export const PathUuid = z.string().regex(UUID_PATTERN).toLowerCase();

/** RFC 9457 problem document; `code` is stable and kebab-case. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    errors: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .openapi('Problem');
export type Problem = z.infer<typeof Problem>;

/** @module Webinar tracking records as platforms post them (R-ATT-1, R-EVT-4, R-ATT-7). */
import { z } from '@hono/zod-openapi';
import { Instant } from './common.ts';

/** Max records in one ingest batch. */
export const MAX_BATCH = 1000;

/**
 * Who a join/leave is about. People are matched to members through the registration
 * (R-ATT-7): `registrantId`, `participantUserId` (a platform id that is stable across
 * rejoins) or `email`. `connectionId` identifies one connection (Zoom's in-meeting `user_id`)
 * and only pairs a join with its leave; it is never used to identify a person.
 */
export const Participant = z
  .object({
    registrantId: z.string().min(1).max(200).optional(),
    participantUserId: z.string().min(1).max(200).optional(),
    email: z.email().max(320).optional(),
    name: z.string().max(300).optional(),
    connectionId: z.string().min(1).max(200).optional(),
  })
  .openapi('Participant');
export type Participant = z.infer<typeof Participant>;

export const RecordType = z.enum(['join', 'leave', 'meeting-end']);
export type RecordType = z.infer<typeof RecordType>;

export const WebinarRecord = z
  .object({
    id: z.string().min(1).max(200).openapi({ description: "The platform's own id of this record (idempotency key with the source)" }),
    type: RecordType,
    at: Instant,
    participant: Participant.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.type === 'meeting-end') return;
    const p = r.participant;
    if (!p || !(p.registrantId || p.participantUserId || p.email)) {
      ctx.addIssue({
        code: 'custom',
        path: ['participant'],
        message: 'join/leave records need participant.registrantId, participantUserId or email',
      });
    }
  })
  .openapi('WebinarRecord');
export type WebinarRecord = z.infer<typeof WebinarRecord>;

export const IngestBatch = z.object({ records: z.array(WebinarRecord).min(1).max(MAX_BATCH) }).openapi('IngestBatch');
export type IngestBatch = z.infer<typeof IngestBatch>;

/** Why stored records will not count (stable codes): `event-closed`, the course was closed before they arrived (R-EVT-7). */
export const IngestNotice = z.enum(['event-closed']).openapi('IngestNotice');
export type IngestNotice = z.infer<typeof IngestNotice>;

export const IngestResult = z
  .object({
    accepted: z.number().int().openapi({ description: 'records stored by this request' }),
    duplicates: z.number().int().openapi({ description: 'records already stored (same source and id), acknowledged' }),
    counted: z.boolean().openapi({
      description:
        'whether the records stored now count towards outcomes and credits; `false` when the course was closed before they arrived (R-EVT-7): they are kept as evidence, and only the CPO (or CN) changes credits after closing',
    }),
    notice: IngestNotice.optional().openapi({ description: 'why `counted` is false: `event-closed` (R-EVT-7)' }),
  })
  .openapi('IngestResult');
export type IngestResult = z.infer<typeof IngestResult>;

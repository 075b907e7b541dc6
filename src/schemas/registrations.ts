/** @module Webinar and event registration schemas (R-EVT-4, R-ATT-7): batches, their summary, the list. */
import { z } from '@hono/zod-openapi';
import { Instant } from './common.ts';
import { Email } from './registry-fields.ts';

export const MAX_REGISTRATIONS = 5000;

export const RegistrationInput = z
  .object({
    memberId: z.uuid().optional(),
    codiceFiscale: z.string().min(1).max(32).optional(),
    registrantId: z.string().trim().min(1).max(200).optional().openapi({ description: "The platform's registrant id (Zoom registrant_id)" }),
    email: Email.optional().openapi({ description: 'E-mail used on the platform; stored lower case' }),
  })
  .refine((r) => (r.memberId === undefined) !== (r.codiceFiscale === undefined), { message: 'give exactly one of memberId and codiceFiscale' })
  .openapi('RegistrationInput');
export type RegistrationInput = z.infer<typeof RegistrationInput>;

export const RegistrationBatch = z.object({ registrations: z.array(RegistrationInput).min(1).max(MAX_REGISTRATIONS) }).openapi('RegistrationBatch');
export type RegistrationBatch = z.infer<typeof RegistrationBatch>;

export const RegistrationResult = z
  .object({
    registered: z.number().int().openapi({ description: 'rows stored (new or updated)' }),
    rejected: z.array(z.object({ index: z.number().int(), code: z.string() })),
    outsideAudience: z
      .array(z.object({ index: z.number().int() }))
      .openapi({ description: 'Rows registered although the member is outside the webinar audience (R-EVT-4): they will get no credit (R-ATT-8)' }),
  })
  .openapi('RegistrationResult');
export type RegistrationResult = z.infer<typeof RegistrationResult>;

export const Registration = z
  .object({
    memberId: z.uuid(),
    codiceFiscale: z.string(),
    surname: z.string(),
    givenName: z.string(),
    province: z.string(),
    registerNumber: z.string(),
    registrantId: z.string().nullable(),
    email: z.string().nullable(),
    inAudience: z.boolean().openapi({ description: 'R-EVT-4 (meaningful for webinars)' }),
    createdAt: Instant,
  })
  .openapi('Registration');
export type Registration = z.infer<typeof Registration>;

export const RegistrationList = z.object({ items: z.array(Registration) }).openapi('RegistrationList');

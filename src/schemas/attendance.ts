/** @module Schemas of corrections, tolerance changes, outcomes and credit records (R-ATT, R-EVT-7). */
import { z } from '@hono/zod-openapi';
import { Instant } from './common.ts';

export const Correction = z
  .object({
    id: z.string().min(1).max(200).optional().openapi({ description: 'Client idempotency key; a retry with the same id is stored once' }),
    memberId: z.uuid(),
    type: z.enum(['join', 'leave']),
    at: Instant,
    reason: z.string().min(3).max(1000),
  })
  .openapi('Correction');

export const CorrectionBatch = z.object({ corrections: z.array(Correction).min(1).max(1000) }).openapi('CorrectionBatch');

export const ToleranceChange = z
  .object({
    minutes: z.number().int().min(0).max(60).openapi({ description: 'R-ATT-2: at most 60' }),
    reason: z.string().min(3).max(1000),
  })
  .openapi('ToleranceChange');

export const OutcomeStatus = z.enum(['credited', 'not-qualified', 'incomplete', 'unmatched', 'out-of-audience', 'identity-conflict', 'not-accredited']);

export const Outcome = z
  .object({
    participantKey: z.string(),
    memberId: z.uuid().nullable(),
    status: OutcomeStatus,
    coveredMinutes: z.number().int(),
    absentMinutes: z.number().int(),
    toleranceMinutes: z.number().int(),
    credits: z.number().int(),
    explanation: z.record(z.string(), z.unknown()).openapi({ description: 'R-ATT-9: reason code, rule, presence, fractions, identity' }),
    derivedAt: z.string(),
  })
  .openapi('Outcome');

export const OutcomePage = z
  .object({
    eventId: z.uuid(),
    summary: z.record(z.string(), z.number().int()),
    lastDerivation: z
      .object({ id: z.number().int(), cause: z.string(), finishedAt: z.string(), participants: z.number().int(), changed: z.number().int() })
      .nullable(),
    outcomes: z.array(Outcome),
    next: z.string().nullable(),
  })
  .openapi('OutcomePage');

export const CreditRecord = z
  .object({
    eventId: z.uuid(),
    eventTitle: z.string(),
    fraction: z.number().int().openapi({ description: '0 = the whole event' }),
    credits: z.number().int(),
    deontologyCredits: z.number().int(),
    mode: z.string(),
    year: z.number().int(),
    status: z.enum(['granted', 'pending', 'not-granted']).openapi({
      description: 'pending: waiting for the questionnaire (R-QST-1); not-granted: questionnaire failed twice or not answered by the deadline (R-QST-8)',
    }),
    derivedAt: z.string(),
  })
  .openapi('CreditRecord');

export const AuditEntry = z
  .object({
    id: z.number().int(),
    participantKey: z.string(),
    memberId: z.uuid().nullable(),
    old: z.record(z.string(), z.unknown()).nullable(),
    new: z.record(z.string(), z.unknown()).nullable(),
    cause: z.string(),
    derivationId: z.number().int(),
    at: z.string(),
  })
  .openapi('AuditEntry');

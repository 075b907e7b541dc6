/** @module Schemas of the referral list (issue 15, R-VER-8, R-VER-9): preparing it, reading it, moving a referral. */
import { z } from '@hono/zod-openapi';
import { REFERRAL_STATES } from '../domain/referrals.ts';
import { Biennium } from './balance.ts';
import { IsoDate } from './common.ts';

const Version = z.number().int().min(1);

export const ReferralState = z.enum(REFERRAL_STATES);

/** `POST /v1/provinces/{province}/referrals`: the snapshot versions default to the latest ones. */
export const PrepareReferrals = z
  .object({
    biennium: Biennium,
    februaryVersion: Version.optional().openapi({ description: 'The February snapshot the list rests on (default: the latest)' }),
    juneVersion: Version.optional().openapi({ description: 'The June debt re-check it rests on (default: the latest, when one was run)' }),
  })
  .openapi('PrepareReferrals');

/** A move of a referral by hand (R-VER-9); `on` is the Rome calendar day. */
export const ReferralTransition = z
  .discriminatedUnion('to', [
    z.object({
      to: z.literal('sent'),
      on: IsoDate,
      protocolNumber: z.string().trim().min(1).max(100).optional(),
      pecReference: z.string().trim().min(1).max(300).optional().openapi({ description: 'The PEC message id or receipt reference' }),
    }),
    z.object({
      to: z.literal('answered'),
      on: IsoDate,
      summary: z.string().trim().min(1).max(4000).openapi({ description: "The discipline council's reply, in short" }),
    }),
  ])
  .openapi('ReferralTransition');
export type ReferralTransition = z.infer<typeof ReferralTransition>;

export const ReferralListQuery = z.object({
  state: ReferralState.optional(),
  after: z.coerce.number().int().min(0).optional().openapi({ description: 'The `seq` of the last referral of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/**
 * @module Organiser schemas (R-EVT-2: kinds a, b, c, d, e) and their webinar platform connections.
 * Shape only: the province table and the authorisation rules are applied by the operations.
 */
import { z } from '@hono/zod-openapi';
import { Instant, IsoDate } from './common.ts';
import { EVENT_MODES, EventMode } from './events.ts';
import { Name, ProvinceCode } from './registry-fields.ts';

export const ORGANISER_KINDS = ['a', 'b', 'c', 'd', 'e'] as const;
export const OrganiserKind = z.enum(ORGANISER_KINDS).openapi('OrganiserKind', {
  description:
    'Art. 14 c.1 (R-EVT-2): a) CPO; b) CN or its foundations; c) ENPACL or its foundations; d) universities and public administrations; e) bodies authorised by the CN',
});
export type OrganiserKind = z.infer<typeof OrganiserKind>;

const OrganiserA = z.object({
  kind: z.literal('a'),
  name: Name,
  province: ProvinceCode.openapi({ description: "The CPO's own province" }),
});
const OrganiserBcd = z.object({ kind: z.enum(['b', 'c', 'd']), name: Name });
const OrganiserE = z
  .object({
    kind: z.literal('e'),
    name: Name,
    authorisationNumber: z.string().trim().min(1).max(100),
    authorisedFrom: IsoDate,
    authorisedUntil: IsoDate,
    allowedModes: z.array(EventMode).min(1).max(EVENT_MODES.length),
    allowedSubjects: z.array(z.string().trim().min(1).max(300)).max(200).default([]),
  })
  .refine((o) => o.authorisedFrom <= o.authorisedUntil, { path: ['authorisedUntil'], message: 'must not be before authorisedFrom' });

export const OrganiserCreate = z.discriminatedUnion('kind', [OrganiserA, OrganiserBcd, OrganiserE]).openapi('OrganiserCreate');
export type OrganiserCreate = z.infer<typeof OrganiserCreate>;

export const Organiser = z
  .object({
    id: z.uuid(),
    kind: OrganiserKind,
    name: z.string(),
    province: z.string().nullable().openapi({ description: 'Kind a: the CPO province' }),
    authorisationNumber: z.string().nullable(),
    authorisedFrom: IsoDate.nullable(),
    authorisedUntil: IsoDate.nullable(),
    allowedModes: z.array(EventMode),
    allowedSubjects: z.array(z.string()),
    createdAt: Instant,
  })
  .openapi('Organiser');
export type Organiser = z.infer<typeof Organiser>;

export const ConnectionCreate = z
  .object({
    platform: z.literal('zoom'),
    secretToken: z.string().min(1).max(500).openapi({ description: "The Zoom app's webhook Secret Token; stored, never returned" }),
  })
  .openapi('ConnectionCreate');
export type ConnectionCreate = z.infer<typeof ConnectionCreate>;

export const Connection = z
  .object({
    id: z.uuid(),
    platform: z.literal('zoom'),
    webhookUrl: z.url().openapi({ description: 'Event notification endpoint URL to configure in the Zoom app' }),
  })
  .openapi('Connection');
export type Connection = z.infer<typeof Connection>;

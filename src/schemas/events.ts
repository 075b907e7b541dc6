/**
 * @module Event schemas (R-EVT-1), their accreditation (R-EVT-3) and pages of events. Shape only:
 * rules that need the organiser, the clock or the province table (R-EVT-2, R-EVT-3, R-CAL-6) are
 * `src/domain/events.ts`, applied by the operations, so every violation gets its own stable code.
 */
import { z } from '@hono/zod-openapi';
import { Instant } from './common.ts';
import { PoolQuestionInput } from './questionnaire.ts';
import { ProvinceCode } from './registry-fields.ts';

/** Event modes (R-EVT-1, R-FAD-1). */
export const EVENT_MODES = ['in-person', 'videoconference', 'webinar', 'e-learning', 'podcast', 'mixed'] as const;
export const EventMode = z.enum(EVENT_MODES).openapi('EventMode');
export type EventMode = z.infer<typeof EventMode>;

export const PLATFORMS = ['zoom', 'teams', 'goto', 'webex', 'generic'] as const;
export const PlatformName = z.enum(PLATFORMS).openapi('PlatformName');

export const Topic = z
  .object({
    title: z.string().trim().min(1).max(500),
    start: Instant,
    end: Instant,
    deontology: z.boolean().openapi({ description: 'Ordinamento professionale e Codice deontologico (R-OBL-1)' }),
  })
  .openapi('Topic');

export const Fraction = z
  .object({
    start: Instant,
    end: Instant,
    credits: z.number().int().min(0).max(1000),
    autonomous: z.boolean().optional().openapi({
      description:
        'Structured paths only: a session with full scientific autonomy, which may grant its own credits (at most 15) to a member under 70% of the path (R-EVT-6)',
    }),
  })
  .openapi('Fraction');

export const EventPlatform = z
  .object({ name: PlatformName, meetingId: z.string().trim().min(1).max(200).openapi({ description: "The platform's webinar/meeting id (Zoom: webinar id)" }) })
  .openapi('EventPlatform');

/** Default tolerance, minutes (R-ATT-2). */
export const DEFAULT_TOLERANCE_MINUTES = 30;

export const EventCreate = z
  .object({
    title: z.string().trim().min(1).max(500),
    cpoProvince: ProvinceCode.openapi({ description: 'Province of the accrediting CPO' }),
    mode: EventMode,
    venueProvince: ProvinceCode.nullable().optional(),
    speakers: z.array(z.string().trim().min(1).max(300)).max(200).default([]),
    topics: z.array(Topic).min(1).max(200).openapi({ description: 'In order, each inside the event, not overlapping' }),
    start: Instant,
    end: Instant,
    credits: z.number().int().openapi({ description: 'Whole credits, at most the whole hours of the event (R-CAL-6)' }),
    fractionable: z.boolean().default(false),
    fractions: z
      .array(Fraction)
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'Required when fractionable: contiguous, covering start..end, credits summing to the event credits' }),
    toleranceMinutes: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Total late entry + early exit allowed, 0..30 (default 30); only the CPO may raise it, up to 60 (R-ATT-2)' }),
    regionWide: z.boolean().default(false).openapi({ description: 'Webinars only: open to members of the whole region (R-EVT-4)' }),
    structuredPath: z.boolean().default(false).openapi({
      description:
        'A structured path (R-EVT-6): more than 20 hours over several days on one subject, in person or mixed; fractionable, its sessions are the fractions (in order, gaps between them allowed). Grants at most 20 credits, only to members attending at least 70% of the hours; autonomous sessions may grant up to 15 on their own',
    }),
    platform: EventPlatform.optional(),
    questions: z.array(PoolQuestionInput).max(500).optional().openapi({
      description: 'Kind-e webinars only, and required for them: the 30 scientific questions of the questionnaire (R-QST-3); never shown to members',
    }),
  })
  .openapi('EventCreate');
export type EventCreate = z.infer<typeof EventCreate>;

export const AccreditationStatus = z.enum(['requested', 'approved', 'rejected']).openapi('AccreditationStatus');
export type AccreditationStatus = z.infer<typeof AccreditationStatus>;

export const Accreditation = z
  .object({
    status: AccreditationStatus.openapi({ description: 'Effective status: a request unanswered past its deadline is approved by silence (R-EVT-3)' }),
    requestedAt: Instant,
    decidedAt: Instant.nullable(),
    reference: z.string().nullable(),
    deadline: Instant.nullable().openapi({ description: "End of the CPO's 10 days to answer (R-CAL-3), for requested accreditations" }),
    bySilence: z.boolean().openapi({ description: 'Approved because the CPO did not answer in time (R-EVT-3)' }),
  })
  .openapi('Accreditation');

export const Event = z
  .object({
    id: z.uuid(),
    organiserId: z.uuid(),
    title: z.string(),
    cpoProvince: z.string(),
    mode: EventMode,
    venueProvince: z.string().nullable(),
    speakers: z.array(z.string()),
    topics: z.array(Topic),
    start: Instant,
    end: Instant,
    credits: z.number().int(),
    fractionable: z.boolean(),
    fractions: z.array(Fraction).nullable(),
    toleranceMinutes: z.number().int(),
    regionWide: z.boolean(),
    structuredPath: z.boolean().openapi({ description: 'A structured path (R-EVT-6)' }),
    platform: EventPlatform.nullable(),
    accreditation: Accreditation,
    closedAt: Instant.nullable(),
    createdAt: Instant,
  })
  .openapi('Event');
export type Event = z.infer<typeof Event>;

export const EventPage = z
  .object({
    items: z.array(Event),
    next: z.string().nullable().openapi({ description: 'Pass as `after` to get the next page; null on the last page' }),
  })
  .openapi('EventPage');

export const EventListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(200).optional().openapi({ description: 'Cursor from the previous page' }),
});

export const AccreditationDecision = z
  .object({
    decision: z.enum(['approve', 'reject']),
    reference: z.string().trim().min(1).max(200).openapi({ description: "The CPO's protocol/deliberation reference" }),
  })
  .openapi('AccreditationDecision');
export type AccreditationDecision = z.infer<typeof AccreditationDecision>;

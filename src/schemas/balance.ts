/** @module Schemas of the balance API (issue 5): balances, grants, alerts, transfers, art. 9, debts, reductions, policy. */
import { z } from '@hono/zod-openapi';
import { ART9_ACTIVITIES } from '../domain/art9.ts';
import { GRANT_GROUNDS, GRANT_SCOPES } from '../domain/grants.ts';
import { REDUCTION_CAUSES } from '../domain/reduction.ts';
import { IsoDate } from './common.ts';

const Int = z.number().int();
const Amounts = z.object({ total: Int, deontology: Int });
const Biennium = z.coerce
  .number()
  .int()
  .min(2023)
  .max(2099)
  .refine((y) => y % 2 === 1, 'a biennium is named by its first, odd year (R-CAL-1)')
  .openapi({ example: 2025 });
export { Biennium };

const NotCountedReason = z
  .string()
  .openapi({ description: 'distance-cap | other-activities-cap | pending-questionnaire | pending-validation | not-granted | settles-previous-debt | …' });

export const BalanceItem = z
  .object({
    id: z.string(),
    date: IsoDate,
    year: Int,
    mode: z.string(),
    title: z.string().optional(),
    distance: z.boolean(),
    otherActivity: z.boolean(),
    recorded: Int,
    deontology: Int,
    counted: Int,
    countedDeontology: Int,
    notCounted: z.array(z.object({ credits: Int, reason: NotCountedReason })),
    status: z.enum(['granted', 'pending', 'not-granted']),
    art9: z
      .object({
        activity: z.string(),
        label: z.string(),
        unit: z.string(),
        quantity: Int,
        tableCredits: Int,
        limited: z.object({ credits: Int, reason: z.string() }).nullable(),
      })
      .optional()
      .openapi({ description: 'Art. 9 items: the table row and what its limits cut before `recorded` (R-ART9-2)' }),
    settlesDebt: z
      .object({ credits: Int, deontology: Int })
      .optional()
      .openapi({ description: "Items of the next biennium's first half that settle this biennium's debt (R-DEBT-3)" }),
  })
  .openapi('BalanceItem');

export const Balance = z
  .object({
    biennium: Int,
    period: z.object({ from: IsoDate, to: IsoDate }),
    asOf: IsoDate,
    obligation: Amounts,
    recorded: Amounts.extend({ distance: Int, otherActivities: Int }),
    counted: Amounts.extend({ distance: Int, otherActivities: Int }),
    caps: z.object({
      distance: z.object({ pct: Int, cap: Int, recorded: Int, counted: Int }),
      otherActivities: z.object({ cap: Int, recorded: Int, counted: Int }),
    }),
    years: z.array(z.object({ year: Int, counted: Amounts, objective: Amounts, met: z.boolean() })),
    items: z.array(BalanceItem),
    notCounted: z.array(z.object({ id: z.string(), credits: Int, reason: NotCountedReason })),
    debt: z
      .object({
        total: Int,
        deontology: Int,
        deadline: IsoDate,
        settled: z.array(z.object({ id: z.string(), date: IsoDate, credits: Int, deontology: Int })),
        settledTotal: Int,
        settledDeontology: Int,
        remaining: Amounts,
        status: z.enum(['open', 'settled', 'unsettled']),
      })
      .nullable(),
    settlesPrevious: z.array(z.object({ id: z.string(), credits: Int, deontology: Int })),
    missing: Amounts,
    compliant: z.boolean(),
    status: z.enum(['compliant', 'in-progress', 'debt-open', 'non-compliant']),
  })
  .openapi('Balance');

export const MemberBalance = z
  .object({
    memberId: z.uuid(),
    obligation: z.object({
      base: Amounts.extend({ months: Int }),
      reductions: z.array(
        z.object({ id: z.string(), cause: z.string(), basis: z.enum(['approved', 'carried']), reduction: Int, deontology: Int, ordinary: Int }),
      ),
      reduction: Amounts.extend({ capped: z.boolean() }),
      effective: Amounts,
    }),
    distance: z.object({
      basePct: Int,
      pct: Int,
      grant: z.object({ id: z.string(), scope: z.string(), pct: Int, deliberation: z.string(), validFrom: IsoDate, validUntil: IsoDate }).nullable(),
    }),
    debtRequest: z.object({ id: z.string(), biennium: Int, total: Int, deontology: Int, status: z.string(), filedOn: IsoDate }).nullable(),
    balance: Balance,
  })
  .openapi('MemberBalance');

export const BalanceSummary = z
  .object({
    memberId: z.uuid(),
    surname: z.string(),
    givenName: z.string(),
    province: z.string(),
    obligation: Amounts,
    counted: Amounts.extend({ distance: Int, otherActivities: Int }),
    missing: Amounts,
    distancePct: Int,
    compliant: z.boolean(),
    status: z.string(),
  })
  .openapi('BalanceSummary');

// --- grants (R-FAD-3, R-FAD-4) ------------------------------------------------------------------------

export const GrantCreate = z
  .strictObject({
    scope: z.enum(GRANT_SCOPES),
    ground: z.enum(Object.keys(GRANT_GROUNDS) as [keyof typeof GRANT_GROUNDS, ...(keyof typeof GRANT_GROUNDS)[]]),
    pct: Int.min(1).max(100),
    memberIds: z.array(z.uuid()).min(1).max(5000).optional().openapi({ description: 'member: exactly one; group: the members' }),
    province: z.string().length(2).optional().openapi({ description: 'province scope (CN); a CPO grants for its own province' }),
    deliberation: z.string().trim().min(1).max(200).openapi({ description: 'The deliberation giving the legal basis' }),
    cnOpinion: z.string().trim().min(1).max(200).optional().openapi({ description: "Province-wide grants of a CPO: the CN's binding opinion" }),
    validFrom: IsoDate,
    validUntil: IsoDate,
  })
  .openapi('GrantCreate');
export type GrantCreate = z.infer<typeof GrantCreate>;

export const GrantOut = z
  .object({
    id: z.uuid(),
    scope: z.string(),
    ground: z.string(),
    province: z.string().nullable(),
    pct: Int,
    deliberation: z.string(),
    cnOpinion: z.string().nullable(),
    validFrom: IsoDate,
    validUntil: IsoDate,
    members: Int,
    grantedBy: z.string(),
    grantedAt: z.string(),
    revokedAt: z.string().nullable(),
    revokeReason: z.string().nullable(),
  })
  .openapi('Grant');

export const Reason = z.strictObject({ reason: z.string().trim().min(1).max(2000) });

export const AlertOut = z
  .object({
    id: Int,
    kind: z.string(),
    province: z.string().nullable(),
    subjectId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
  })
  .openapi('CnAlert');

export const TransferCreate = z
  .strictObject({ toProvince: z.string().length(2), registerNumber: z.string().trim().min(1).max(20), on: IsoDate })
  .openapi('TransferCreate');

// --- council decisions on member requests -----------------------------------------------------

export const Art9Out = z
  .object({
    id: z.uuid(),
    memberId: z.uuid(),
    province: z.string(),
    activity: z.enum(ART9_ACTIVITIES),
    quantity: Int,
    activityDate: IsoDate,
    description: z.string(),
    document: z.object({ id: z.uuid(), name: z.string(), contentType: z.string(), size: Int, sha256: z.string() }),
    filedAt: z.string(),
    status: z.enum(['submitted', 'validated', 'rejected']),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decisionReason: z.string().nullable(),
  })
  .openapi('Art9Declaration');

export const Art9Decision = z
  .strictObject({ decision: z.enum(['validate', 'reject']), reason: z.string().trim().min(1).max(2000).optional() })
  .refine((d) => d.decision === 'validate' || d.reason, { message: 'a rejection states its reason', path: ['reason'] })
  .openapi('Art9Decision');

export const DebtOut = z
  .object({
    id: z.uuid(),
    memberId: z.uuid(),
    province: z.string(),
    biennium: Int,
    total: Int,
    deontology: Int,
    filedOn: IsoDate,
    status: z.enum(['filed', 'accepted', 'rejected']),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decisionReason: z.string().nullable(),
  })
  .openapi('DebtRequest');

export const DebtDecision = z
  .strictObject({ decision: z.enum(['accept', 'reject']), reason: z.string().trim().min(1).max(2000).optional() })
  .refine((d) => d.decision === 'accept' || d.reason, { message: 'a rejection states its reason', path: ['reason'] })
  .openapi('DebtDecision');

/** Inputs of a reduction cause (R-RED-2); which fields a cause needs is checked by the calculator. */
export const ReductionInput = z
  .strictObject({
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    birthDate: IsoDate.optional().openapi({ description: "age70: the member's; maternity/paternity: the child's" }),
    arrivalDate: IsoDate.optional().openapi({ description: "adoption/fostering: the child's arrival" }),
    degreePct: Int.min(1).max(100).optional(),
    subjectToReview: z.boolean().optional(),
    certificateExpiry: IsoDate.optional(),
  })
  .openapi('ReductionInput');

export const ReductionCalc = z
  .strictObject({
    biennium: Biennium,
    profile: z.enum(['national', 'RC', 'BA']).optional().openapi({ description: "Defaults to the member's CPO profile, else national" }),
    cases: z
      .array(z.strictObject({ cause: z.enum(REDUCTION_CAUSES), input: ReductionInput }))
      .min(1)
      .max(20),
  })
  .openapi('ReductionCalculation');

export const ReductionAcknowledge = z.strictObject({ protocolNumber: z.string().trim().min(1).max(50), officer: z.string().trim().min(1).max(200) });
export const ReductionPreDenial = z.strictObject({ reasons: z.string().trim().min(1).max(4000) });
export const ReductionDecision = z
  .strictObject({
    decision: z.enum(['approve', 'deny']),
    reduction: Int.min(0).max(50).optional().openapi({ description: "approve: defaults to the calculator's amount" }),
    deontology: Int.min(0).max(6).optional(),
    reasons: z.string().trim().min(1).max(4000).optional(),
  })
  .refine((d) => d.decision === 'approve' || d.reasons, { message: 'a denial states its reasons', path: ['reasons'] })
  .openapi('ReductionDecision');

export const ReductionOut = z
  .object({
    id: z.uuid(),
    memberId: z.uuid(),
    province: z.string(),
    biennium: Int,
    cause: z.string(),
    input: z.record(z.string(), z.unknown()),
    computed: z.record(z.string(), z.unknown()),
    filedOn: IsoDate,
    filing: z.record(z.string(), z.unknown()),
    status: z.string(),
    protocolNumber: z.string().nullable(),
    officer: z.string().nullable(),
    preDenialReasons: z.string().nullable(),
    integrationDeadline: IsoDate.nullable(),
    decisionDeadline: IsoDate.nullable(),
    decision: z.record(z.string(), z.unknown()).nullable(),
    notifiedOn: IsoDate.nullable(),
    appealDeadline: IsoDate.nullable(),
    appeal: z.record(z.string(), z.unknown()).nullable(),
    documents: z.array(z.object({ id: z.uuid(), name: z.string(), contentType: z.string(), size: Int, stage: z.string() })),
    steps: z.array(
      z.object({
        action: z.string(),
        from: z.string().nullable(),
        to: z.string(),
        actor: z.string(),
        at: z.string(),
        detail: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi('ReductionRequest');

export const PolicyPut = z
  .strictObject({
    profile: z.enum(['national', 'RC', 'BA']),
    overrides: z.record(z.string(), z.unknown()).default({}),
    reason: z.string().trim().min(1).max(2000),
  })
  .openapi('PolicyChange');

/**
 * @module Member schemas: one member, and the summary of a register import (CSV or .xlsx). Shape
 * only: the codice fiscale check letter and the 107 provinces are checked by the operations.
 */
import { z } from '@hono/zod-openapi';
import { Instant, IsoDate } from './common.ts';
import { Email, Name, ProvinceCode } from './registry-fields.ts';

export const MemberCreate = z
  .object({
    codiceFiscale: z
      .string()
      .min(1)
      .max(32)
      .openapi({ example: 'RSSMRA85T10A562S', description: 'Checked with its check letter (code `invalid-codice-fiscale`)' }),
    surname: Name,
    givenName: Name,
    province: ProvinceCode.openapi({ description: 'Province of the register (Albo) the member is enrolled in' }),
    registerNumber: z.string().trim().min(1).max(50),
    birthDate: IsoDate,
    registrationDate: IsoDate.openapi({ description: "Date of registration in the register (iscrizione all'Albo)" }),
    email: Email.optional(),
  })
  .refine((m) => m.birthDate < m.registrationDate, { path: ['registrationDate'], message: 'must be after birthDate' })
  .openapi('MemberCreate');
export type MemberCreate = z.infer<typeof MemberCreate>;

export const Member = z
  .object({
    id: z.uuid(),
    codiceFiscale: z.string(),
    surname: z.string(),
    givenName: z.string(),
    province: z.string(),
    registerNumber: z.string(),
    birthDate: IsoDate,
    registrationDate: IsoDate,
    email: z.string().nullable(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .openapi('Member');
export type Member = z.infer<typeof Member>;

/** Max rows of one CSV import, and max bytes. */
export const MEMBER_IMPORT_MAX_ROWS = 20_000;
export const MEMBER_IMPORT_MAX_BYTES = 2 * 1024 * 1024;

export const RowRejection = z
  .object({
    row: z.number().int().openapi({ description: '1-based line number in the file (the header is line 1)' }),
    code: z.string(),
    message: z.string(),
  })
  .openapi('RowRejection');

export const MemberImportResult = z
  .object({
    created: z.number().int(),
    updated: z.number().int().openapi({ description: 'existing members whose data changed' }),
    unchanged: z.number().int().openapi({ description: 'existing members already holding exactly these data' }),
    rejected: z.array(RowRejection),
  })
  .openapi('MemberImportResult');
export type MemberImportResult = z.infer<typeof MemberImportResult>;

/** A member row of an import, normalised (codice fiscale and province upper case), with its line number. */
export type MemberCsvRow = MemberCreate & { row: number };
export type RowRejection = z.infer<typeof RowRejection>;

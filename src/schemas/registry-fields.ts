/** @module Fields the registry schemas share: province codes, names, e-mail addresses. */
import { z } from '@hono/zod-openapi';

/** Two-letter province sigla; case-insensitive on input, upper case out. Membership of the 107 is checked by the operations (`unknown-province`). */
export const ProvinceCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'a two-letter province code')
  .transform((s) => s.toUpperCase())
  .openapi({ example: 'RC', description: 'Two-letter province code (sigla)' });

export const Name = z.string().trim().min(1).max(300);
export const Email = z
  .email()
  .max(320)
  .transform((s) => s.toLowerCase());

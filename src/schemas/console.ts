/**
 * @module The console's forms (issue 14), parsed with zod like every other input. A failed field
 * maps to a refusal code the console words in Italian (`src/pages/console/labels.ts`); passwords
 * are checked for strength by `src/domain/staff-accounts.ts`, not here (only bounded in size).
 */
import { z } from 'zod';
import { STAFF_ROLES } from '../domain/staff-accounts.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
/** Bounded so a huge field costs nothing; the strength rules are R-ACC-3's. */
const secret = z.string().min(1).max(1024);

export const SignInForm = z.object({ email: text(320), password: secret });
export const CodeForm = z.object({ code: text(64) });
export const EmailForm = z.object({ email: z.email().max(320) });
export const NewPasswordForm = z
  .object({ password: secret, confirm: secret })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'passwords-differ' });
export const ChangePasswordForm = z
  .object({ current: secret, password: secret, confirm: secret })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'passwords-differ' });
export const InviteForm = z.object({
  displayName: text(200),
  email: z.email().max(320),
  role: z.enum(STAFF_ROLES),
  organiser: z.string().trim().max(36).optional().default(''),
  province: z.string().trim().max(2).optional().default(''),
});
export type InviteForm = z.infer<typeof InviteForm>;

/**
 * @module The console's attendance forms (issue 14): a correction (R-ATT-6) as a person types it,
 * the day and the Rome wall-clock time apart (the route makes the instant, R-CAL-2), and a reason.
 */
import { z } from 'zod';

export const CorrectionForm = z.object({
  memberId: z.uuid(),
  type: z.enum(['join', 'leave']),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  time: z.string().regex(/^\d{2}:\d{2}$/),
  reason: z.string().trim().min(3).max(1000),
});

/** @module Who a row is: identifiers, display names and e-mail addresses, cleaned and bounded. */
import { z } from '@hono/zod-openapi';

const MAX_ID = 200;
const MAX_NAME = 300;
const EmailSchema = z.email().max(320);

/** Trimmed text without control characters, or undefined when empty or longer than `max`. */
export function cleanText(v: unknown, max = MAX_ID): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) v = String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return t.length > 0 && t.length <= max ? t : undefined;
}

/** A display name: trimmed, control characters removed, cut to 300 code points. */
export function cleanName(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t ? Array.from(t).slice(0, MAX_NAME).join('') : undefined;
}

/** `{ email }` when valid, `{ invalid: true }` when there is text that is not an address, `{}` when empty. */
export function readEmail(v: unknown): { email?: string; invalid?: true } {
  const t = cleanText(v, 320);
  if (!t || t === '--') return {};
  return EmailSchema.safeParse(t).success ? { email: t } : { invalid: true };
}

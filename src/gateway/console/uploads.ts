/**
 * @module The console's forms that carry a file (`multipart/form-data`): which paths they are,
 * their own body limit (`UPLOAD_MAX_BYTES` and a little room for the form around the file)
 * instead of the 32 KiB of every other console form, and the file read from the parsed form.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Deps } from '../deps.ts';

/**
 * POST paths whose form carries a file: the new event (its questions), the question pool,
 * registrations (limited here, `uploadLimit`); the attendance file, a platform report and the
 * SCORM package (read by `readUpload` with `UPLOAD_MAX_BYTES` or `SCORM_MAX_BYTES` while it streams).
 */
const UPLOAD_PATHS: readonly RegExp[] = [
  /^\/console\/eventi\/nuovo$/,
  /^\/console\/eventi\/[^/]+\/domande$/,
  /^\/console\/eventi\/[^/]+\/iscrizioni$/,
  /^\/console\/eventi\/[^/]+\/(presenze\/(file|report)|corso\/pacchetto)$/,
];

/** What a form may add around its file (boundaries, part headers, the other fields: up to 30 typed questions). */
const FORM_OVERHEAD_BYTES = 512 * 1024;

export function isConsoleUpload(method: string, path: string): boolean {
  return method === 'POST' && UPLOAD_PATHS.some((p) => p.test(path));
}

/** The body limit of an upload form, enforced while the body streams. */
export function uploadLimit(deps: Deps): MiddlewareHandler {
  return bodyLimit({ maxSize: deps.config.UPLOAD_MAX_BYTES + FORM_OVERHEAD_BYTES, onError: (c) => c.text('File troppo grande.', 413) });
}

/** The file of a form field, or null when none was chosen (browsers send an empty part). */
export async function formFile(c: Context, field: string): Promise<Buffer | null> {
  // The body was parsed once (Hono caches it): this reads the same form again.
  const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const v = body[field];
  if (!v || typeof v === 'string' || !(v instanceof File) || v.size === 0) return null;
  return Buffer.from(await v.arrayBuffer());
}

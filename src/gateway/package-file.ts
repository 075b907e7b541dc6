/** @module How the content origin answers a package file (R-ISO-3), for SCORM modules and cmi5 AUs alike. */
import type { Context } from 'hono';
import type { PackageFileAnswer } from '../services/elearning/player.ts';

/**
 * A package file as the content origin serves it, or why not. R-ISO-3: package pages are framed
 * by this origin (the runner, or the player's frame for a cmi5 AU) inside the player, never
 * elsewhere (frame-ancestors checks every ancestor, the player's page among them).
 */
export function packageFileResponse(c: Context, f: PackageFileAnswer, playerOrigin: string): Response {
  if (f.kind === 'no-course') return c.text('Corso non disponibile', 404);
  if (f.kind === 'bad-path') return c.text('Percorso non valido', 400);
  if (f.kind === 'not-found') return c.text('File non trovato', 404);
  c.header('Content-Type', f.contentType);
  c.header('Cache-Control', 'private, max-age=600');
  c.header('Content-Security-Policy', `frame-ancestors 'self' ${playerOrigin}`);
  return c.body(new Uint8Array(f.content));
}

/**
 * @module Reading requests the same way in every router: a JSON body read raw within its size
 * limit (it may be evidence), the client's address and the headers kept with evidence.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { readLimited } from '../../adapters/streams/read-limited.ts';
import { ServiceError } from '../services/errors.ts';

/** Reads the body as bytes, enforcing the content type and the size limit while streaming. */
export async function readJsonBody(c: Context, maxBytes: number, types = ['application/json']): Promise<Uint8Array> {
  const ct = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!types.includes(ct)) throw new ServiceError('unsupported-media-type', `Send ${types.join(' or ')}`);
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > maxBytes) throw new ServiceError('body-too-large', `At most ${maxBytes} bytes`);
  // A declared length bounds the body (Node's HTTP parser never reads past it): take
  // @hono/node-server's direct read, which skips building a web Request and stream per request.
  if (Number.isSafeInteger(declared) && declared >= 0) return new Uint8Array(await c.req.arrayBuffer());
  // No declared length (chunked): the same limited read as uploads, with this endpoint's code.
  return readLimited(c.req.raw.body, maxBytes, null, () => new ServiceError('body-too-large', `At most ${maxBytes} bytes`));
}

/** UTF-8 JSON, or `malformed-json`. */
export function parseJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (err) {
    throw new ServiceError('malformed-json', (err as Error).message.slice(0, 200));
  }
}

export function clientAddr(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

export function pickHeaders(c: Context, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = c.req.header(n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

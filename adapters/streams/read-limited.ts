/**
 * @module Reading a request body into one buffer with a byte limit while it streams: a declared
 * length over the limit is refused before reading, a streamed body is cancelled at the first chunk
 * past it. Not about any format: uploads, SCORM packages and JSON bodies all come through here.
 */
import { SpreadsheetError } from '../xlsx/spreadsheet-upload.ts';

/**
 * Reads `body` into one buffer, refusing it with `tooLarge()` as soon as it passes `maxBytes`, so
 * at most `maxBytes` plus one chunk is ever held. Without `tooLarge` the refusal is an upload's
 * `file-too-large` (`SpreadsheetError`, what `src/gateway/uploads.ts` maps); other bodies pass
 * their own (`readJsonBody`: `body-too-large`).
 *
 * @example const bytes = await readLimited(c.req.raw.body, 10 * 1024 * 1024, Number(c.req.header('content-length')))
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null | undefined,
  maxBytes: number,
  declaredLength?: number | null,
  tooLarge: () => Error = () => new SpreadsheetError('file-too-large', `The file is larger than ${maxBytes} bytes`, { maxBytes }),
): Promise<Buffer> {
  if (typeof declaredLength === 'number' && Number.isFinite(declaredLength) && declaredLength > maxBytes) throw tooLarge();
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if ('getReader' in body) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } else {
    // Leaving the loop early returns the iterator, which destroys a Node stream.
    for await (const value of body) {
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks, size);
}

/**
 * @module The verification's list of members as a CSV or xlsx file (issue 15, R-VER-10): one
 * operation for the API route, the console's download and the background export job, writing
 * every row of one version, named, page by page (`verificationRows`) through one column
 * definition (`src/domain/verification-export.ts`, `adapters/xlsx/verification-list.ts`).
 */
import { PassThrough } from 'node:stream';
import { LIST_CONTENT_TYPES, writeVerificationList, type ListFormat } from '../../../adapters/xlsx/verification-list.ts';
import { romeDate } from '../../domain/calendar.ts';
import { exportFilename } from '../../domain/verification-export.ts';
import type { VerificationPhase } from '../../domain/verification.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { readNamedVerification, verificationRows, type SnapshotSummary } from './verification.ts';

export { LIST_FORMATS as EXPORT_FORMATS, type ListFormat as ExportFormat } from '../../../adapters/xlsx/verification-list.ts';

/** Bytes queued for a slow reader before the writer waits. */
export const EXPORT_BUFFER_BYTES = 256 * 1024;

export interface VerificationExport {
  filename: string;
  contentType: string;
  /** The version being written (the latest when `version` was not given). */
  snapshot: SnapshotSummary;
  /** The file as it is written; destroyed with the error if writing fails, so a partial file is never taken for a whole one. */
  out: PassThrough;
  /** Resolves with the rows written once the file is complete; rejects as `out` is destroyed. */
  done: Promise<{ rows: number }>;
}

/**
 * A version of a province's verification (the latest without `version`) as a file, being written
 * into `out`. Who may read it is `readNamedVerification`'s rule (a CPO its own province; CN,
 * admin any); refusals (`verification-not-found`, `forbidden`) come before the first byte.
 *
 * @rule R-VER-10
 */
export async function verificationExport(
  ctx: Pick<ServiceContext, 'db' | 'log'>,
  actor: Actor,
  input: { province: string; biennium: number; phase: VerificationPhase; version?: number; format: ListFormat },
  opts: { onRows?: (written: number) => Promise<void> | void } = {},
): Promise<VerificationExport> {
  const { snapshot } = await readNamedVerification(ctx, actor, { ...input, limit: 1 });
  const pinned = { province: input.province, biennium: input.biennium, phase: input.phase, version: snapshot.version };
  const out = new PassThrough({ highWaterMark: EXPORT_BUFFER_BYTES });
  const started = Date.now();
  const done = writeVerificationList(out, {
    format: input.format,
    pages: verificationRows(ctx, actor, pinned),
    about: {
      province: snapshot.province,
      biennium: snapshot.biennium,
      phase: snapshot.phase,
      version: snapshot.version,
      asOfDate: romeDate(Date.parse(snapshot.asOf)),
      createdAt: snapshot.createdAt,
      memberCount: snapshot.memberCount,
      digest: snapshot.digest,
    },
    ...(opts.onRows ? { onRows: opts.onRows } : {}),
  }).then(
    (r) => {
      ctx.log.info({ ...pinned, format: input.format, rows: r.rows, ms: Date.now() - started }, 'verification export written');
      return r;
    },
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      if (!out.destroyed) ctx.log.warn({ ...pinned, err: e.message }, 'verification export failed mid-stream');
      out.destroy(e);
      throw e;
    },
  );
  // Whoever only reads `out` learns of a failure from it; this keeps the rejection handled.
  done.catch(() => {});
  return { filename: exportFilename(snapshot, input.format), contentType: LIST_CONTENT_TYPES[input.format], snapshot, out, done };
}

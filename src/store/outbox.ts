/**
 * @module The mail outbox (migration 003): mails written in the same transaction as what they
 * announce, sent afterwards by the mail worker (workers/mail.ts), which records each attempt.
 *
 * A mail is written once per `dedup_key` (e.g. `questionnaire-link:<questionnaire id>`): writing
 * it again is a no-op, so the job that writes it may run any number of times.
 */
import type { Queryable } from './db.ts';

export interface NewOutboxMail {
  kind: string;
  dedupKey: string;
  /** Null when no address is known: the row stays unsent and the organiser sees it. */
  recipient: string | null;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  createdAt: Date;
}

export interface OutboxMail extends NewOutboxMail {
  id: number;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
}

interface OutboxRow {
  id: number;
  kind: string;
  dedup_key: string;
  recipient: string | null;
  subject: string;
  body_text: string;
  body_html: string | null;
  created_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
}

const COLUMNS = 'id, kind, dedup_key, recipient, subject, body_text, body_html, created_at, sent_at, attempts, last_error';

function toMail(r: OutboxRow): OutboxMail {
  return {
    id: Number(r.id),
    kind: r.kind,
    dedupKey: r.dedup_key,
    recipient: r.recipient,
    subject: r.subject,
    bodyText: r.body_text,
    bodyHtml: r.body_html,
    createdAt: new Date(r.created_at),
    sentAt: r.sent_at ? new Date(r.sent_at) : null,
    attempts: Number(r.attempts),
    lastError: r.last_error,
  };
}

/** Longest error text kept on a row (the adapter already keeps it short and address-free). */
const MAX_ERROR_CHARS = 1000;

/**
 * Writes the mails whose `dedupKey` is new and leaves the others as they are. Returns the ids of
 * every given key, new or already there, one per distinct key in input order: the caller
 * enqueues them all, so a retried job also re-enqueues mails whose first enqueue was lost (a
 * mail already sent or still queued is not sent again).
 *
 * @example
 * const ids = await db.transaction(async (tx) => { …; return insertOutbox(tx, mails); });
 * await mailProducer.send(ids);
 */
export async function insertOutbox(q: Queryable, rows: readonly NewOutboxMail[]): Promise<number[]> {
  if (!rows.length) return [];
  await q.query(
    `INSERT INTO outbox (kind, dedup_key, recipient, subject, body_text, body_html, created_at)
     SELECT x.kind, x.dedup_key, x.recipient, x.subject, x.body_text, x.body_html, x.created_at
     FROM jsonb_to_recordset($1::jsonb)
       AS x(kind text, dedup_key text, recipient text, subject text, body_text text, body_html text, created_at timestamptz)
     ON CONFLICT (dedup_key) DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({
          kind: r.kind,
          dedup_key: r.dedupKey,
          recipient: r.recipient,
          subject: r.subject,
          body_text: r.bodyText,
          body_html: r.bodyHtml,
          created_at: r.createdAt.toISOString(),
        })),
      ),
    ],
  );
  // A second statement, not RETURNING: it also sees rows another transaction committed with the
  // same key while this insert waited on it (READ COMMITTED takes a new snapshot per statement).
  const ids = await outboxIdsByDedupKey(
    q,
    rows.map((r) => r.dedupKey),
  );
  const out: number[] = [];
  const seen = new Set<number>();
  for (const r of rows) {
    const id = ids.get(r.dedupKey);
    if (id !== undefined && !seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/** The ids of the rows holding these dedup keys (keys with no row are absent from the map). */
export async function outboxIdsByDedupKey(q: Queryable, dedupKeys: readonly string[]): Promise<Map<string, number>> {
  if (!dedupKeys.length) return new Map();
  const { rows } = await q.query<{ id: number; dedup_key: string }>(
    `SELECT id, dedup_key FROM outbox WHERE dedup_key IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(dedupKeys)],
  );
  return new Map(rows.map((r) => [r.dedup_key, Number(r.id)]));
}

export async function getOutbox(q: Queryable, id: number): Promise<OutboxMail | null> {
  const { rows } = await q.query<OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1`, [id]);
  return rows[0] ? toMail(rows[0]) : null;
}

/**
 * Records the send; false when the row was already marked sent (or does not exist). `attempts`
 * and `last_error` stay: they tell how many tries it took and why the last one before failed.
 */
export async function markSent(q: Queryable, id: number, at: Date): Promise<boolean> {
  const { rowCount } = await q.query('UPDATE outbox SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL', [id, at.toISOString()]);
  return rowCount > 0;
}

/**
 * Counts a failed attempt. `error` must describe the failure without personal data (a code, an
 * SMTP reply with addresses redacted): it is shown to operators.
 */
export async function markAttemptFailed(q: Queryable, id: number, error: string): Promise<void> {
  await q.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1 AND sent_at IS NULL', [id, error.slice(0, MAX_ERROR_CHARS)]);
}

/**
 * Unsent mails that can still be sent, by id: created before `createdBefore`, with fewer than
 * `maxAttempts` failed attempts and a recipient (a row without one has nothing to send until an
 * address is filled in). `afterId` pages on from the last id of the previous page.
 */
export async function unsentOutbox(
  q: Queryable,
  opts: { createdBefore: Date; maxAttempts: number; limit: number; afterId?: number | undefined },
): Promise<OutboxMail[]> {
  const { rows } = await q.query<OutboxRow>(
    `SELECT ${COLUMNS} FROM outbox
     WHERE sent_at IS NULL AND id > $4 AND recipient IS NOT NULL AND created_at < $1 AND attempts < $2
     ORDER BY id LIMIT $3`,
    [opts.createdBefore.toISOString(), opts.maxAttempts, opts.limit, opts.afterId ?? 0],
  );
  return rows.map(toMail);
}

/** Mails by kind and/or dedup key prefix, newest first (operators, tests). */
export async function listOutbox(q: Queryable, opts: { kind?: string | undefined; dedupKeyPrefix?: string | undefined; limit: number }): Promise<OutboxMail[]> {
  const { rows } = await q.query<OutboxRow>(
    `SELECT ${COLUMNS} FROM outbox
     WHERE ($1::text IS NULL OR kind = $1)
       AND ($2::text IS NULL OR left(dedup_key, length($2)) = $2)
     ORDER BY id DESC LIMIT $3`,
    [opts.kind ?? null, opts.dedupKeyPrefix ?? null, opts.limit],
  );
  return rows.map(toMail);
}

/** Gives an unsent mail a (new) recipient and a fresh count of attempts; false when it was sent already. */
export async function readdressOutbox(q: Queryable, id: number, recipient: string): Promise<boolean> {
  const { rowCount } = await q.query('UPDATE outbox SET recipient = $2, attempts = 0, last_error = NULL WHERE id = $1 AND sent_at IS NULL', [id, recipient]);
  return rowCount === 1;
}

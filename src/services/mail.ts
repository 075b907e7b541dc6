/**
 * @module Sending the outbox (questionnaire links) through the mail adapter, each attempt recorded
 * on its row, and the sweep that re-enqueues rows whose job Redis lost; the mail worker calls these.
 *
 * At-least-once, not exactly-once: a crash (or a database error) between the SMTP server
 * accepting a mail and `markSent` sends it again on the retry. Acceptable for a link mail (the
 * second copy carries the same link, and the stable Message-ID lets receivers that de-duplicate
 * drop it); the opposite order could lose mails. Never logs recipients or bodies (personal
 * data, and the bodies hold signed links): outbox ids only.
 */
import { MailError, redactAddresses, stableMessageId, type Mailer } from '../../adapters/mail/smtp.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { MAIL_ATTEMPTS, type MailProducer } from '../queue/mail.ts';
import type { Db } from '../store/db.ts';
import { getOutbox, listOutbox, markAttemptFailed, markSent, unsentOutbox } from '../store/outbox.ts';
import type { Actor } from './actor.ts';
import { ServiceError } from './errors.ts';

export interface MailDeps {
  db: Db;
  config: Config;
  log: Logger;
  now: () => number;
  mailer: Mailer;
  producer: MailProducer;
  /**
   * Told after a row is marked sent (a questionnaire's 10 days start then, R-QST-2). Its failure
   * is logged, not retried: the mail is out, and the owner's sweep repairs what it missed.
   */
  onSent?: (row: { id: number; kind: string; dedupKey: string }, at: Date) => Promise<void>;
}

/** The server refused the mail for good: retrying cannot help (the worker does not retry it). */
export class PermanentMailError extends Error {}

/** The sweep leaves younger rows alone: their job is normally still on its way. */
export const SWEEP_MIN_AGE_MS = 60_000;
const SWEEP_PAGE = 1000;
const SWEEP_MAX_PAGES = 50;

export type SendOutcome = { sent: true; outboxId: number } | { skipped: 'missing' | 'sent' | 'no-recipient'; outboxId: number };

/**
 * Sends one outbox row unless it was sent already. A row without recipient is counted as a
 * failed attempt (`no-recipient`) and not retried. A failed send is recorded on the row and
 * thrown: BullMQ retries it with backoff, or not at all when the server refused it for good
 * (`PermanentMailError`).
 */
export async function sendOutbox(deps: Pick<MailDeps, 'db' | 'log' | 'now' | 'mailer' | 'config' | 'onSent'>, outboxId: number): Promise<SendOutcome> {
  const { db, log } = deps;
  const row = await getOutbox(db, outboxId);
  if (!row) {
    log.warn({ outboxId }, 'mail job for a missing outbox row');
    return { skipped: 'missing', outboxId };
  }
  if (row.sentAt) return { skipped: 'sent', outboxId };
  if (!row.recipient) {
    await markAttemptFailed(db, outboxId, 'no-recipient');
    log.info({ outboxId, kind: row.kind }, 'mail not sent: no recipient address');
    return { skipped: 'no-recipient', outboxId };
  }
  try {
    await deps.mailer.send({
      to: row.recipient,
      subject: row.subject,
      text: row.bodyText,
      html: row.bodyHtml,
      messageId: stableMessageId(`${row.id}:${row.dedupKey}`, deps.config.MAIL_FROM),
    });
  } catch (err) {
    const mailErr = err instanceof MailError ? err : new MailError(redactAddresses(String(err)).slice(0, 500), false, null, null);
    try {
      await markAttemptFailed(db, outboxId, mailErr.message);
    } catch (dbErr) {
      log.warn({ outboxId, err: String(dbErr) }, 'could not record the failed mail attempt');
    }
    // Thrown errors become BullMQ's failed reason: the address-free message only.
    if (mailErr.permanent) throw new PermanentMailError(mailErr.message);
    throw new Error(mailErr.message);
  }
  // Crash window: the mail is out but not yet marked; a retry sends it again (module comment).
  const sentAt = new Date(deps.now());
  await markSent(db, outboxId, sentAt);
  if (deps.onSent) {
    await deps
      .onSent({ id: row.id, kind: row.kind, dedupKey: row.dedupKey }, sentAt)
      .catch((err) => log.warn({ outboxId, err: String(err) }, 'after-send hook failed'));
  }
  log.info({ outboxId, kind: row.kind, attempt: row.attempts + 1 }, 'mail sent');
  return { sent: true, outboxId };
}

/**
 * Re-enqueues unsent rows older than {@link SWEEP_MIN_AGE_MS} with attempts left. Rows whose job
 * BullMQ still holds are unaffected (same job id), so only jobs Redis lost are re-created.
 */
export async function sweepOutbox(deps: Pick<MailDeps, 'db' | 'log' | 'now' | 'producer'>, opts: { minAgeMs?: number } = {}): Promise<{ queued: number[] }> {
  const createdBefore = new Date(deps.now() - (opts.minAgeMs ?? SWEEP_MIN_AGE_MS));
  const queued: number[] = [];
  let afterId = 0;
  for (let page = 0; page < SWEEP_MAX_PAGES; page++) {
    const rows = await unsentOutbox(deps.db, { createdBefore, maxAttempts: MAIL_ATTEMPTS, limit: SWEEP_PAGE, afterId });
    if (!rows.length) break;
    const ids = rows.map((r) => r.id);
    await deps.producer.send(ids);
    queued.push(...ids);
    afterId = ids[ids.length - 1]!;
    if (rows.length < SWEEP_PAGE) break;
  }
  if (queued.length) deps.log.info({ rows: queued.length }, 'mail sweep enqueued unsent outbox rows');
  return { queued };
}

/** A mail of the outbox as an admin sees it: never its body (it may hold a personal link). */
export interface OutboxEntry {
  id: number;
  kind: string;
  recipient: string | null;
  subject: string;
  createdAt: string;
  state: 'sent' | 'waiting' | 'failing' | 'no-recipient';
  sentAt: string | null;
  attempts: number;
  lastError: string | null;
}

/**
 * The latest mails of the outbox, for admins (issue 14: without `SMTP_URL` they wait there and
 * someone must see them). Bodies are left out: they hold members' and staff's signed links.
 */
export async function outboxOverview(ctx: { db: Db }, actor: Actor, limit = 200): Promise<OutboxEntry[]> {
  if (actor.role !== 'admin') throw new ServiceError('forbidden', 'Only admins see the outbox');
  const rows = await listOutbox(ctx.db, { limit });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    recipient: r.recipient,
    subject: r.subject,
    createdAt: r.createdAt.toISOString(),
    state: r.sentAt ? 'sent' : !r.recipient ? 'no-recipient' : r.attempts > 0 ? 'failing' : 'waiting',
    sentAt: r.sentAt ? r.sentAt.toISOString() : null,
    attempts: r.attempts,
    lastError: r.lastError,
  }));
}

/**
 * @module The mail adapter: member mails (questionnaire links) over SMTP with nodemailer.
 *
 * One pooled transport per process; every send names one recipient. Failures come back as a
 * {@link MailError} whose message carries the SMTP code and reply with e-mail addresses
 * redacted, so it can go to logs, BullMQ's failed reason and the outbox row without personal
 * data; `permanent` tells a refusal that retrying will not change (5xx) from a transient one.
 */
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  /**
   * Message-ID to use (`<local@domain>`). A stable one per outbox row lets receiving systems that
   * de-duplicate on Message-ID drop the second copy of an at-least-once resend.
   */
  messageId?: string | undefined;
}

export interface Mailer {
  send(m: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** A failed send, described without personal data. */
export class MailError extends Error {
  override readonly name = 'MailError';
  constructor(
    message: string,
    /** The server refused the message for good (5xx but 503): retrying gets the same answer. */
    readonly permanent: boolean,
    readonly code: string | null,
    readonly responseCode: number | null,
  ) {
    super(message);
  }
}

/** Timeouts: a dead or stalled server fails a send in seconds, and BullMQ retries it later. */
export const SMTP_TIMEOUTS = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
  dnsTimeout: 10_000,
};

/**
 * A mailer on `url` (`smtp://user:pass@host:587`, `smtps://…:465`; query options such as
 * `?pool=false` or `?maxConnections=2` are read by nodemailer and win over the defaults here).
 *
 * @example
 * const mailer = createSmtpMailer(config.SMTP_URL, config.MAIL_FROM);
 * await mailer.send({ to, subject, text });
 */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(
    {
      url,
      pool: true,
      maxConnections: 5,
      // One re-queue covers a pooled connection the server closed while idle; more would only
      // delay the failure that BullMQ's own backoff handles better.
      maxRequeues: 1,
      ...SMTP_TIMEOUTS,
      // Our mails have no attachments: never let a message make nodemailer read files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    },
    { from },
  );
  return {
    async send(m) {
      try {
        const info = await transport.sendMail({
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          ...(m.messageId ? { messageId: m.messageId } : {}),
        });
        return { messageId: info.messageId ?? m.messageId ?? '' };
      } catch (err) {
        throw toMailError(err);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** A stable Message-ID for `key` (an outbox dedup key) in the domain of the sender address. */
export function stableMessageId(key: string, from: string): string {
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

const ADDRESS = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:]+/g;

/** Replaces e-mail addresses in a server reply or error text. */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS, '[address]');
}

function toMailError(err: unknown): MailError {
  if (err instanceof MailError) return err;
  const e = (err ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown; response?: unknown; permanent?: unknown; command?: unknown };
  const code = typeof e.code === 'string' ? e.code : null;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const detail = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  const parts = [code ?? 'error', typeof e.command === 'string' ? `at ${e.command.split(' ')[0]}` : null, redactAddresses(detail)];
  const message = parts.filter(Boolean).join(' ').slice(0, 500);
  // nodemailer sets `permanent` from the reply class; configuration and auth errors (no reply,
  // or 535) are not the message's fault and may be fixed by an operator, so they stay retryable.
  const permanent = e.permanent === true && code !== 'EAUTH';
  return new MailError(message, permanent, code, responseCode);
}

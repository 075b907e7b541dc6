/**
 * The mail path end to end (issue 4): outbox rows → BullMQ mail queue → mail worker → SMTP, with
 * an in-process SMTP server receiving the mails. Each mail arrives once with its recipient,
 * subject and text; a row without recipient records `no-recipient`; a sent row is not sent
 * again; a transient refusal is retried and a permanent one is not; the sweep re-enqueues a row
 * whose job was lost; no log line carries an address or a body.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../adapters/mail/smtp.ts';
import { loadConfig } from '../../src/config.ts';
import { createMailProducer, mailJobId, type MailProducer } from '../../src/queue/mail.ts';
import { producerConnection, workerConnection } from '../../src/queue/redis.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { getOutbox, insertOutbox, listOutbox, type NewOutboxMail } from '../../src/store/outbox.ts';
import type { RunningWorker } from '../../workers/queue-worker.ts';
import { startMailWorker } from '../../workers/mail.ts';
import { sweepOutbox } from '../../src/services/mail.ts';
import { backendsOf, POSTGRES_URL, REDIS_URL } from '../support/backends.ts';
import { eventually } from '../support/harness.ts';

interface Received {
  rcptTo: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string | null;
}

/** An SMTP server on a free port that keeps what it receives and refuses on request. */
async function startSmtp() {
  const received: Received[] = [];
  /** Recipient → how many more RCPT TO to refuse with 451 (transient). */
  const refuseTransient = new Map<string, number>();
  /** Recipients refused with 550 (permanent). */
  const refusePermanent = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const left = refuseTransient.get(address.address) ?? 0;
      if (left > 0) {
        refuseTransient.set(address.address, left - 1);
        // The reply names the address: the worker must not store or log it.
        return callback(Object.assign(new Error(`Mailbox <${address.address}> busy, try again later`), { responseCode: 451 }));
      }
      if (refusePermanent.has(address.address)) {
        return callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ rcptTo: session.envelope.rcptTo.map((a) => a.address), ...parseMessage(Buffer.concat(chunks).toString('latin1')) });
        callback();
      });
    },
  });
  const net = await new Promise<ReturnType<SMTPServer['listen']>>((resolve) => {
    const s = server.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (net.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseTransient,
    refusePermanent,
    to: (addr: string) => received.filter((m) => m.rcptTo.includes(addr)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// --- A minimal MIME reader: enough for what nodemailer writes (headers, QP/base64, alternatives).

function parseMessage(raw: string): Omit<Received, 'rcptTo'> {
  const { headers, body } = splitEntity(raw);
  const parts = leafParts(headers, body);
  const part = (type: string) => parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(type));
  const text = part('text/plain');
  const html = part('text/html');
  return {
    headers,
    subject: decodeWords(headers.get('subject') ?? ''),
    text: text ? decodeBody(text.headers, text.body) : '',
    html: html ? decodeBody(html.headers, html.body) : null,
  };
}

function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function leafParts(headers: Map<string, string>, body: string): Array<{ headers: Map<string, string>; body: string }> {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) return [{ headers, body }];
  const sections = body.split(`--${boundary}`).slice(1);
  return sections
    .filter((s) => !s.startsWith('--'))
    .flatMap((s) => {
      const e = splitEntity(s.replace(/^\r\n/, ''));
      return leafParts(e.headers, e.body.replace(/\r\n$/, ''));
    });
}

function bytesToUtf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

function decodeQuotedPrintable(s: string): string {
  const soft = s.replace(/=\r?\n/g, '');
  return bytesToUtf8(soft.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const decoded =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : bytesToUtf8(body);
  return decoded.replace(/\r\n/g, '\n');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`), adjacent words joined. */
function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _cs: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

// --- The tests, on every backend.

const SUBJECT = 'Questionario di apprendimento: è disponibile – «Diritto del lavoro»';
const text = (n: string) => `Gentile collega,\nil questionario è disponibile fino al 20 gennaio: https://example.it/q/${n}\nCordiali saluti — CPO`;

for (const backend of backendsOf(import.meta.url)) {
  describe(`mail worker on ${backend}`, () => {
    const id = crypto.randomBytes(4).toString('hex');
    const prefix = `test-mail-${id}`;
    let schema: string | null = null;
    let db: Db;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let producerRedis: Redis;
    let producer: MailProducer;
    let worker: RunningWorker;
    const logLines: string[] = [];
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          logLines.push(chunk.toString());
          cb();
        },
      }),
    );
    const addr = (name: string) => `${name}.${id}.${backend}@example.it`;
    const mail = (key: string, recipient: string | null, over: Partial<NewOutboxMail> = {}): NewOutboxMail => ({
      kind: 'questionnaire-link',
      dedupKey: `questionnaire-link:${id}:${key}`,
      recipient,
      subject: SUBJECT,
      bodyText: text(key),
      bodyHtml: `<p>Il questionario è <a href="https://example.it/q/${key}">disponibile</a>.</p>`,
      createdAt: new Date(),
      ...over,
    });
    const deps = () => ({ db, log, now: Date.now, producer });

    beforeAll(async () => {
      if (backend === 'postgres') {
        schema = `t_mail_${id}`;
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`CREATE SCHEMA ${schema}`);
        await c.end();
        db = await openDb({ url: POSTGRES_URL, schema });
      } else {
        db = await openDb({ dataDir: 'memory://' });
      }
      await migrate(db);
      smtp = await startSmtp();
      const config = loadConfig({
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        // The scheduled sweep stays out of the way: the test calls the sweep itself.
        SWEEP_INTERVAL_MS: '3600000',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Formazione continua CdL <no-reply@cdl.example.it>',
      });
      producerRedis = producerConnection(REDIS_URL);
      producerRedis.on('error', () => {});
      producer = createMailProducer(producerRedis, prefix, { backoffMs: 100 });
      worker = await startMailWorker({
        db,
        connection: workerConnection(REDIS_URL),
        config,
        log,
        now: Date.now,
        mailer: createSmtpMailer(config.SMTP_URL!, config.MAIL_FROM),
        producer,
      });
    });

    afterAll(async () => {
      await worker?.close();
      await producer?.close();
      producerRedis?.disconnect();
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
      await smtp?.close();
      await db?.close();
      if (schema) {
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      }
    });

    it('sends each mail once with its recipient, subject and text; a row without recipient records no-recipient', async () => {
      const rows = [mail('a', addr('anna')), mail('b', addr('bruno')), mail('c', null)];
      const ids = await insertOutbox(db, rows);
      expect(ids).toHaveLength(3);
      // Writing the same mails again is a no-op and gives the same ids (a retried job re-enqueues them).
      expect(await insertOutbox(db, [...rows, rows[0]!])).toEqual(ids);
      expect(await listOutbox(db, { dedupKeyPrefix: `questionnaire-link:${id}:`, limit: 10 })).toHaveLength(3);

      await producer.send(ids);
      const [a, b, c] = ids as [number, number, number];
      await eventually(async () => (await getOutbox(db, a))?.sentAt && (await getOutbox(db, b))?.sentAt && (await getOutbox(db, c))?.lastError);

      for (const [key, to] of [
        ['a', addr('anna')],
        ['b', addr('bruno')],
      ] as const) {
        const got = smtp.to(to);
        expect(got).toHaveLength(1);
        expect(got[0]!.rcptTo).toEqual([to]);
        expect(got[0]!.headers.get('to')).toContain(to);
        expect(got[0]!.headers.get('from')).toContain('no-reply@cdl.example.it');
        expect(got[0]!.headers.get('message-id')).toMatch(/^<[0-9a-f]{32}@cdl\.example\.it>$/);
        expect(got[0]!.subject).toBe(SUBJECT);
        expect(got[0]!.text.trim()).toBe(text(key));
        expect(got[0]!.html).toContain(`https://example.it/q/${key}`);
      }
      const none = await getOutbox(db, c);
      expect(none).toMatchObject({ sentAt: null, attempts: 1, lastError: 'no-recipient' });
      // Completed, not failed: there is nothing to retry. (The row is updated before the job finishes.)
      const job = await eventually(async () => ((await producer.queue.getJobState(mailJobId(c))) === 'completed' ? producer.queue.getJob(mailJobId(c)) : null));
      expect(job?.returnvalue).toEqual({ skipped: 'no-recipient', outboxId: c });
      expect(smtp.received).toHaveLength(2);
    });

    it('does not send a sent row again', async () => {
      const [idA] = await insertOutbox(db, [mail('again', addr('carla'))]);
      await producer.send([idA!]);
      // The state first, then the job: a job read while active has no return value yet.
      const completed = async () => ((await producer.queue.getJobState(mailJobId(idA!))) === 'completed' ? producer.queue.getJob(mailJobId(idA!)) : null);
      const first = await eventually(completed);
      expect(first.returnvalue).toEqual({ sent: true, outboxId: idA });
      // Enqueued again while BullMQ still holds the finished job: a no-op.
      await producer.send([idA!]);
      expect((await producer.queue.getJob(mailJobId(idA!)))?.returnvalue).toEqual({ sent: true, outboxId: idA });
      // Enqueued after the job is gone (trimmed, or Redis lost it): the worker sees sent_at and skips.
      await first.remove();
      await producer.send([idA!]);
      const second = await eventually(completed);
      expect(second.returnvalue).toEqual({ skipped: 'sent', outboxId: idA });
      expect(smtp.to(addr('carla'))).toHaveLength(1);
    });

    it('retries a transient refusal and delivers once; never stores or logs the address', async () => {
      const to = addr('dario');
      smtp.refuseTransient.set(to, 2);
      const [idD] = await insertOutbox(db, [mail('busy', to)]);
      await producer.send([idD!]);
      const row = await eventually(async () => {
        const r = await getOutbox(db, idD!);
        return r?.sentAt ? r : null;
      });
      expect(row.attempts).toBe(2);
      expect(row.lastError).toContain('451');
      expect(row.lastError).not.toContain('@');
      expect(smtp.to(to)).toHaveLength(1);
      expect(smtp.refuseTransient.get(to)).toBe(0);
    });

    it('does not retry a permanent refusal', async () => {
      const to = addr('elena');
      smtp.refusePermanent.add(to);
      const [idE] = await insertOutbox(db, [mail('unknown', to)]);
      await producer.send([idE!]);
      const job = await eventually(async () =>
        (await producer.queue.getJobState(mailJobId(idE!))) === 'failed' ? producer.queue.getJob(mailJobId(idE!)) : null,
      );
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toContain('550');
      expect(job.failedReason).not.toContain('@');
      const row = await getOutbox(db, idE!);
      expect(row).toMatchObject({ sentAt: null, attempts: 1 });
      expect(row?.lastError).toContain('550');
      expect(row?.lastError).not.toContain(to);
      expect(smtp.to(to)).toHaveLength(0);
    });

    it('the sweep re-enqueues an unsent row whose job was lost, and leaves young rows alone', async () => {
      const lost = mail('lost', addr('franco'), { createdAt: new Date(Date.now() - 120_000) });
      const young = mail('young', addr('giulia'));
      const [idLost, idYoung] = await insertOutbox(db, [lost, young]);
      const { queued } = await sweepOutbox(deps());
      expect(queued).toContain(idLost);
      expect(queued).not.toContain(idYoung);
      await eventually(async () => (await getOutbox(db, idLost!))?.sentAt);
      expect(smtp.to(addr('franco'))).toHaveLength(1);
      expect(smtp.to(addr('giulia'))).toHaveLength(0);
      // Sent: a second sweep no longer picks it up.
      expect((await sweepOutbox(deps())).queued).not.toContain(idLost);
    });

    it('logs outbox ids, never addresses or bodies', () => {
      expect(logLines.some((l) => l.includes('"outboxId"'))).toBe(true);
      for (const line of logLines) {
        expect(line).not.toContain('@example.it');
        expect(line).not.toContain('example.it/q/');
      }
    });
  });
}

/**
 * @module Composes a running process: database (migrated), Redis, gateway and/or workers,
 * and their orderly shutdown (server → workers → queues → database).
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from './config.ts';
import { createApp } from './gateway/app.ts';
import { contentApp } from './gateway/content-server.ts';
import { keyResolver } from './services/keys.ts';
import type { Deps } from './gateway/deps.ts';
import { signinThrottle } from './gateway/console/throttle.ts';
import { createLogger, type Logger } from './log.ts';
import { createAttendanceProducer } from './queue/attendance.ts';
import { createLedgerProducer, type LedgerProducer } from './queue/ledger.ts';
import { createScormProducer, type ScormProducer } from './queue/scorm.ts';
import { createVerificationProducer, type VerificationProducer } from './queue/verification.ts';
import { producerConnection, waitReady, workerConnection } from './queue/redis.ts';
import { openDb, type Db } from './store/db.ts';
import { migrate } from './store/migrate.ts';
import { createSmtpMailer } from '../adapters/mail/smtp.ts';
import { startAttendanceWorker } from '../workers/attendance.ts';
import { startLedgerWorker } from '../workers/ledger.ts';
import { startScormWorker } from '../workers/scorm.ts';
import { startVerificationWorker } from '../workers/verification.ts';
import type { RunningWorker } from '../workers/queue-worker.ts';
import { startMailWorker } from '../workers/mail.ts';
import { linkMailSent, startQuestionnaireWorker } from '../workers/questionnaire.ts';
import { linkSecret, memberLinks } from './member-links.ts';
import { createMailProducer } from './queue/mail.ts';
import { createQuestionnaireProducer, type QuestionnaireProducer } from './queue/questionnaire.ts';

/** What `gatewayApp` is built from, for tests and benches that build the app over deps of their own. */
export type { Deps };

export interface RuntimeOptions {
  gateway: boolean;
  worker: boolean;
  /** Postgres schema (tests); the default is the connection's search_path. */
  schema?: string;
  /** An already open database (tests share one PGlite per file). */
  db?: Db;
  log?: Logger;
  now?: () => number;
}

export interface Runtime {
  db: Db;
  deps: Deps;
  url: string | null;
  /** The content server's public origin (R-ISO-1); null without a gateway. */
  contentUrl: string | null;
  server: ServerType | null;
  workers: RunningWorker[];
  /** The questionnaire queue's producer (tests inspect its delayed expiry jobs). */
  questionnaire: QuestionnaireProducer;
  /** The ledger queue's producer (tests wait for its jobs and read their results). */
  ledger: LedgerProducer;
  /** The SCORM queue's producer (tests wait for its jobs). */
  scorm: ScormProducer;
  /** The verification queue's producer (tests look at its jobs). */
  verification: VerificationProducer;
  close(): Promise<void>;
}

export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const db = opts.db ?? (await openDb({ url: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite'), schema: opts.schema }));
  const ownsDb = !opts.db;
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'migrations applied');

  const producerRedis = producerConnection(config.REDIS_URL);
  producerRedis.on('error', () => {}); // state is read from .status; errors surface per request
  await waitReady(producerRedis, 5000).catch((err) => {
    throw new Error(`Redis at ${config.REDIS_URL} does not answer (${(err as Error).message}). Start redis-server or set REDIS_URL.`);
  });
  const attendance = createAttendanceProducer(producerRedis, config.QUEUE_PREFIX, config.DERIVE_DELAY_MS);
  const questionnaire = createQuestionnaireProducer(producerRedis, config.QUEUE_PREFIX);
  const ledger = createLedgerProducer(producerRedis, config.QUEUE_PREFIX);
  const scorm = createScormProducer(producerRedis, config.QUEUE_PREFIX, config.SCORM_DERIVE_DELAY_MS);
  const verification = createVerificationProducer(producerRedis, config.QUEUE_PREFIX, config.VERIFICATION_JOB_ATTEMPTS);
  // Without an SMTP server, mails wait in the outbox table (nothing is lost; set SMTP_URL later).
  const mail = config.SMTP_URL ? createMailProducer(producerRedis, config.QUEUE_PREFIX) : null;
  const links = memberLinks(await linkSecret(db, config.LINK_SECRET));
  const now = opts.now ?? Date.now;
  let url: string | null = null;
  let contentUrl: string | null = null;
  const publicUrl = () => config.PUBLIC_URL ?? url ?? `http://${config.HOST}:${config.PORT}`;
  const deps: Deps = {
    db,
    attendance,
    redisReady: () => producerRedis.status === 'ready',
    config,
    log,
    now,
    resolveKey: keyResolver(db, { now }),
    links,
    ledger,
    scorm,
    mail,
    verification,
    signinThrottle: signinThrottle({ attempts: config.SIGNIN_ATTEMPTS_PER_ADDRESS, redis: producerRedis, prefix: config.QUEUE_PREFIX }),
    contentOrigin: () => contentUrl,
  };

  const workers: RunningWorker[] = [];
  if (opts.worker) {
    if (!config.PUBLIC_URL && !opts.gateway)
      log.warn('PUBLIC_URL is not set: member links in mails will point at this host; set the public address of the gateway');
    workers.push(
      await startAttendanceWorker({ db, connection: workerConnection(config.REDIS_URL), config, log, now, producer: attendance, questionnaire, ledger, scorm }),
    );
    workers.push(await startScormWorker({ db, connection: workerConnection(config.REDIS_URL), config, log, now, producer: scorm, ledger }));
    workers.push(await startLedgerWorker({ db, connection: workerConnection(config.REDIS_URL), config, log, now, producer: ledger }));
    workers.push(await startVerificationWorker({ db, connection: workerConnection(config.REDIS_URL), config, log, now, producer: verification }));
    workers.push(
      await startQuestionnaireWorker({
        db,
        connection: workerConnection(config.REDIS_URL),
        config,
        log,
        now,
        producer: questionnaire,
        attendance,
        mail,
        links,
        publicUrl,
      }),
    );
    if (mail && config.SMTP_URL) {
      const mailer = createSmtpMailer(config.SMTP_URL, config.MAIL_FROM);
      const onSent = linkMailSent({ db, producer: questionnaire, now });
      workers.push(await startMailWorker({ db, connection: workerConnection(config.REDIS_URL), config, log, now, mailer, producer: mail, onSent }));
    } else {
      log.warn('SMTP_URL is not set: member mails (questionnaire links) wait in the outbox table');
    }
  }

  let server: ServerType | null = null;
  let contentServer: ServerType | null = null;
  if (opts.gateway) {
    const app = createApp(deps);
    server = await listen(app.fetch, config.PORT, config.HOST);
    const addr = server.address() as AddressInfo;
    url = `http://${config.HOST}:${addr.port}`;
    log.info({ url }, 'gateway listening');
    // R-ISO-1: course packages run on an origin of their own, served by a second server.
    const gatewayOrigin = () => new URL(publicUrl()).origin;
    const content = contentApp(deps, { player: gatewayOrigin, content: () => contentUrl! });
    contentServer = await listen(content.fetch, config.CONTENT_PORT ?? (config.PORT === 0 ? 0 : config.PORT + 1), config.HOST);
    contentUrl = contentOrigin(config, gatewayOrigin(), (contentServer.address() as AddressInfo).port);
    if (new URL(contentUrl).hostname === new URL(gatewayOrigin()).hostname)
      log.warn({ contentUrl }, 'CONTENT_URL shares the gateway’s host name: set it to another site so that course packages never share its cookies');
    log.info({ url: contentUrl }, 'content server listening');
  }

  return {
    db,
    deps,
    url,
    contentUrl,
    server,
    workers,
    questionnaire,
    ledger,
    scorm,
    verification,
    async close() {
      for (const s of [contentServer]) if (s) await closeServer(s);
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
      }
      for (const w of workers) await w.close();
      await attendance.close();
      await questionnaire.close();
      await ledger.close();
      await scorm.close();
      await verification.close();
      await mail?.close();
      producerRedis.disconnect();
      if (ownsDb) await db.close();
    },
  };
}

/**
 * The HTTP app over given deps, without a server, Redis or workers: for benches that measure one
 * route in a process of their own (they import this, never `src/gateway/`).
 */
export function gatewayApp(deps: Deps) {
  return createApp(deps);
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number, hostname: string): Promise<ServerType> {
  return new Promise<ServerType>((resolve) => {
    const s = serve({ fetch, port, hostname }, () => resolve(s));
  });
}

function closeServer(s: ServerType): Promise<void> {
  return new Promise<void>((resolve) => {
    s.close(() => resolve());
    (s as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

/**
 * The content server's public origin (R-ISO-1): CONTENT_URL when set; otherwise the port it
 * listens on under the gateway's host name swapped between the two loopback names (127.0.0.1 ↔
 * localhost), which browsers treat as different sites, so no cookie of the gateway goes there.
 */
export function contentOrigin(config: Pick<Config, 'CONTENT_URL'>, gatewayOrigin: string, port: number): string {
  if (config.CONTENT_URL) return new URL(config.CONTENT_URL).origin;
  const g = new URL(gatewayOrigin);
  const host = g.hostname === 'localhost' ? '127.0.0.1' : g.hostname === '127.0.0.1' || g.hostname === '0.0.0.0' ? 'localhost' : g.hostname;
  return `${g.protocol}//${host}:${port}`;
}

/** @module Process configuration from environment variables, validated once at start. */
import { z } from 'zod';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  /** Postgres; unset → PGlite in DATA_DIR (single process). */
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix; use a `{hash-tag}` on Redis Cluster. */
  QUEUE_PREFIX: z.string().default('cdl'),
  /** Public base URL, used in links handed out (webhook URLs). */
  PUBLIC_URL: z.string().optional(),
  /**
   * Public origin of the e-learning content server (R-ISO-1): course packages run there, never on
   * the gateway's origin. Use another site than PUBLIC_URL (another registrable domain, e.g.
   * `https://contenuti.example.net`) so that no cookie of the gateway reaches it. Unset → the
   * second port on this machine under the other loopback name (127.0.0.1 ↔ localhost).
   */
  CONTENT_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Port of the content server; unset → PORT + 1 (0, a free port, when PORT is 0). */
  CONTENT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Coalescing delay of derivation jobs after new evidence, ms (principle 5). */
  DERIVE_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  /** Interval of the sweep that re-queues events whose evidence is newer than their outcomes. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** BullMQ lock duration: a killed worker's job is retried after about this long. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  /**
   * Fault injection, for tests only (test/integration/worker-crash.test.ts): every derivation
   * waits this long after writing its rows and before COMMIT, so that a test can kill the worker
   * process at that exact point. 0 (the default) disables it; never set it in production.
   */
  DERIVE_PAUSE_MS: z.coerce.number().int().min(0).default(0),
  /**
   * The console runs a verification (or writes its export) in the request for a province of at
   * most this many members, and as a background job with a progress page above it (R-VER-11).
   */
  VERIFICATION_SYNC_MAX_MEMBERS: z.coerce.number().int().min(0).default(2000),
  /** Hours an export written by the verification worker can be downloaded (R-VER-12). */
  VERIFICATION_EXPORT_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24)
    .default(24),
  /** Starts of a verification job (a worker that died mid-way counts) before it is shown as failed (R-VER-13). */
  VERIFICATION_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /**
   * Fault injection, for tests only (test/integration/verification-jobs.test.ts): a verification
   * job waits this long after its first progress report, so that a test can see the progress page
   * and kill the worker mid-way. 0 (the default) disables it; never set it in production.
   */
  VERIFICATION_JOB_PAUSE_MS: z.coerce.number().int().min(0).default(0),
  /** Max request body, bytes (ingest batches of 1,000 records fit in well under 1 MiB). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  /** Max uploaded spreadsheet (attendance file, register .xlsx), bytes; read with a limit while it streams. */
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /**
   * Max uploaded SCORM package (issue 6), bytes; read with a limit while it streams. 100 MiB: a
   * course of short modules with narrated slides fits; longer video belongs on a streaming host.
   */
  SCORM_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
  /** Lifetime of a SCORM launch token (issue 6 §2), minutes: the commit URL it is in works this long. */
  SCORM_LAUNCH_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(12 * 60),
  /**
   * Coalescing delay of an enrolment's derivation after a commit, ms (issue 6 §4): a burst of
   * commits (content that commits on every change, a Terminate right after a commit) is read
   * once, and progress shows within this delay. 1 s since the derivation is incremental (issue
   * 16): 30 s autocommits never coalesce within any delay short enough to show progress in 5 s.
   */
  SCORM_DERIVE_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  /**
   * `incremental` (issue 16): a commit's derivation folds the commits stored since the last one
   * into the enrolment's aggregates, falling back to the full re-read when that cannot be exact;
   * `full`: every derivation re-reads every commit (the audit path; for comparisons and benches).
   */
  SCORM_DERIVATION: z.enum(['incremental', 'full']).default('incremental'),
  /** Max SCORM commit body (issue 6 §3), bytes; read with a limit while it streams. suspend_data of 2004 is at most 64,000 characters. */
  SCORM_COMMIT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** SMTP server for member mails (questionnaire links), e.g. `smtp://user:pass@host:587`; unset → mails wait in the outbox table. */
  SMTP_URL: z.string().optional(),
  /** Sender of member mails. */
  MAIL_FROM: z.string().default('Formazione continua CdL <no-reply@localhost>'),
  /** Key that signs member links (≥ 32 characters); unset → one generated and kept in the database. */
  LINK_SECRET: z.string().min(32).optional(),
  /** Console sessions end after this many minutes without a request (R-ACC-5). */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
  /** Console sessions end this many hours after sign-in, whatever the activity (R-ACC-5). */
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24)
    .default(12),
  /** Sign-in attempts (passwords and codes) one address may make in 15 minutes, all accounts together (R-ACC-4). */
  SIGNIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  /**
   * Single sign-on (R-ACC-8): the OpenID Connect issuer of the deployment's identity provider (a
   * council's own, or a SPID/CIE broker). Set with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none.
   */
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The sign-in button says "Accedi con <label>". */
  OIDC_LABEL: z.string().min(1).max(80).default('identità digitale dell’ente'),
  /** Scopes asked of the identity provider; `openid` is always among them. */
  OIDC_SCOPES: z.string().min(1).default('openid email profile'),
});
export type Config = z.infer<typeof Env>;

/** The three settings single sign-on needs: all of them, or none (no SSO). */
const OIDC_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${msg}`);
  }
  const oidcSet = OIDC_REQUIRED.filter((k) => parsed.data[k] !== undefined);
  if (oidcSet.length !== 0 && oidcSet.length !== OIDC_REQUIRED.length) {
    const missing = OIDC_REQUIRED.filter((k) => parsed.data[k] === undefined);
    throw new Error(`Invalid configuration: single sign-on needs ${OIDC_REQUIRED.join(', ')} together; missing ${missing.join(', ')}`);
  }
  const issuer = parsed.data.OIDC_ISSUER ? new URL(parsed.data.OIDC_ISSUER) : null;
  if (issuer?.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname))
    throw new Error('Invalid configuration: OIDC_ISSUER: must be https (plain http only for a provider on this machine)');
  if (!parsed.data.OIDC_SCOPES.split(/\s+/).includes('openid')) throw new Error('Invalid configuration: OIDC_SCOPES: must include openid');
  return parsed.data;
}

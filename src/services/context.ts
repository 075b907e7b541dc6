/**
 * @module What every operation is given: the database, the queue producers, the clock, config,
 * log and member links. The gateway, the consoles, the workers, the CLI and the benches build one
 * and call the same operations with it.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { MemberLinks } from '../member-links.ts';
import type { AttendanceProducer } from '../queue/attendance.ts';
import type { LedgerProducer } from '../queue/ledger.ts';
import type { MailProducer } from '../queue/mail.ts';
import type { ScormProducer } from '../queue/scorm.ts';
import type { VerificationProducer } from '../queue/verification.ts';
import type { Db } from '../store/db.ts';

export interface ServiceContext {
  db: Db;
  attendance: AttendanceProducer;
  /** True when Redis answers; ingest refuses with 503 otherwise (nothing would derive). */
  redisReady: () => boolean;
  config: Config;
  log: Logger;
  now: () => number;
  /** Signs and checks member links (questionnaire pages, dashboard, SCORM launches). */
  links: MemberLinks;
  /**
   * Asks the ledger worker to record how balances changed after a council act (R-POL-2). Optional:
   * without it nothing is asked, and the ledger's sweep still catches up.
   */
  ledger?: Pick<LedgerProducer, 'requestLedger'>;
  /** Asks for e-learning derivations after SCORM commits and course changes (issue 6 §4). */
  scorm: Pick<ScormProducer, 'requestDerivation' | 'requestCourseDerivation'>;
  /**
   * Hands outbox rows to the mail worker after COMMIT (staff invitations). Null without
   * `SMTP_URL`: the rows wait in the outbox, which admins see in the console.
   */
  mail?: Pick<MailProducer, 'send'> | null;
  /**
   * Hands verification jobs (a large province's run, an export) to the verification worker after
   * COMMIT (R-VER-11). Optional: without it jobs wait in `verification_jobs`, and the worker's
   * sweep queues them.
   */
  verification?: Pick<VerificationProducer, 'requestJob' | 'jobState'>;
}

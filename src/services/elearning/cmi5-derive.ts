/**
 * @module A cmi5 enrolment's derivation (issue 16): its sessions and accepted statements read
 * (`src/store/cmi5.ts`), mapped into the facts the SCORM derivation judges
 * (`src/domain/cmi5-progress.ts`, then `assessEnrolment`: R-ELN-2, R-ELN-3, R-ELN-4, R-EVT-5), and
 * the LMS's satisfied statements (cmi5 §9.3.9) issued once per block and course of the
 * registration, in the derivation's transaction. `derive.ts` calls it for courses of version cmi5.
 */
import crypto from 'node:crypto';
import type { Cmi5Summary } from '../../domain/cmi5-course.ts';
import { cmi5Actor, satisfiedStatement } from '../../domain/cmi5-launch.ts';
import { cmi5Assessment } from '../../domain/cmi5-progress.ts';
import { assessEnrolment, type EnrolmentProgress, type ProgressCourse } from '../../domain/elearning-progress.ts';
import { cmi5Facts, insertStatements } from '../../store/cmi5.ts';
import type { Queryable } from '../../store/db.ts';

/**
 * The outcome of a cmi5 enrolment at `at`; `course` is what the SCORM derivation passes
 * (declaration, tolerance, validity…) without the SCO list, which comes from the structure.
 *
 * @rule R-ELN-2
 * @rule R-ELN-3
 */
export async function deriveCmi5Enrolment(
  tx: Queryable,
  enrolmentId: string,
  summary: Cmi5Summary,
  course: Omit<ProgressCourse, 'version' | 'scos'>,
  at: number,
): Promise<EnrolmentProgress> {
  const f = await cmi5Facts(tx, enrolmentId);
  const a = cmi5Assessment(summary.cmi5, f.sessions, f.statements);
  await issueSatisfied(tx, enrolmentId, summary, f, a.satisfied, at);
  return assessEnrolment({ ...course, version: '2004', scos: a.scos }, a.launches, a.commits, at);
}

/**
 * §9.3.9 "The LMS MUST use the Satisfied statement when the learner has met the moveOn criteria
 * of all AU's in a block" (and the course); "SHOULD NOT issue multiple statements with Satisfied
 * for the same Block or Course within a course registration".
 * @rule R-CMI-4
 */
async function issueSatisfied(
  tx: Queryable,
  enrolmentId: string,
  summary: Cmi5Summary,
  f: Awaited<ReturnType<typeof cmi5Facts>>,
  satisfied: ReturnType<typeof cmi5Assessment>['satisfied'],
  at: number,
) {
  const done = new Set(f.statements.filter((s) => s.origin === 'lms' && s.verb === 'https://w3id.org/xapi/adl/verbs/satisfied').map((s) => s.objectId));
  const targets = [
    ...summary.cmi5.blocks.map((b) => ({ kind: 'block' as const, id: b.id, lmsId: b.lmsId, title: b.title })),
    { kind: 'course' as const, id: summary.cmi5.course.id, lmsId: summary.cmi5.course.lmsId, title: summary.cmi5.course.title },
  ];
  const sessions = new Map(f.sessions.map((s) => [s.sessionId, s]));
  for (const t of targets) {
    const sat = satisfied.get(t.id);
    if (!sat || done.has(t.lmsId)) continue;
    const session = sat.sessionId ? sessions.get(sat.sessionId) : undefined;
    // "MUST generate a unique session ID for all Satisfied statements triggered outside of an AU launch session."
    const sessionId = session?.sessionId ?? crypto.randomUUID();
    const actor = session?.actor ?? f.sessions[0]?.actor ?? cmi5Actor('', '');
    const st = satisfiedStatement(crypto.randomUUID(), { sessionId, registration: enrolmentId, actor }, t, new Date(at));
    await insertStatements(tx, [
      {
        statementId: st.id,
        enrolmentId,
        sessionId: session ? sessionId : null,
        origin: 'lms',
        receivedAt: new Date(at),
        clientAddr: null,
        userAgent: null,
        body: Buffer.from(JSON.stringify(st)),
        batchIndex: null,
        statement: st,
        verb: st.verb.id,
        kind: 'defined',
        stampedAt: at,
        durationSeconds: null,
        accepted: true,
        rejection: null,
      },
    ]);
  }
}

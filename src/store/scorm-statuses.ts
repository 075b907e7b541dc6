/**
 * @module What an enrolment's SCOs reported of their SCORM 1.2 `lesson_status`, read from the
 * stored commits for the player's prerequisites (`src/domain/scorm-prerequisites.ts`): per SCO,
 * whether it was ever reported `passed` or `completed`, and the latest status reported. Only valid
 * commits of sessions the server launched for that SCO count, as for derivation (R-ELN-2).
 * Read at launch, not per commit: prerequisites are navigation, never credit.
 */
import type { Queryable } from './db.ts';

export interface ReportedLessonStatus {
  everPassed: boolean;
  everCompleted: boolean;
  /** The last non-empty status received, or null. */
  latest: string | null;
}

/** By SCO identifier; SCOs with no valid commit are absent. */
export async function reportedLessonStatuses(db: Queryable, enrolmentId: string): Promise<Map<string, ReportedLessonStatus>> {
  const { rows } = await db.query<{ sco: string; ever_passed: boolean; ever_completed: boolean; latest: string | null }>(
    `SELECT c.sco_identifier AS sco,
            bool_or(x.s = 'passed') AS ever_passed,
            bool_or(x.s = 'completed') AS ever_completed,
            (array_agg(x.s ORDER BY c.received_at DESC, c.id DESC) FILTER (WHERE x.s <> ''))[1] AS latest
       FROM scorm_commits c
       JOIN scorm_launches l ON l.session_id = c.session_id AND l.enrolment_id = c.enrolment_id AND l.sco_identifier = c.sco_identifier
      CROSS JOIN LATERAL (SELECT COALESCE(COALESCE(c.parsed->'cmi', c.parsed->'runtimeData'->'cmi')->'core'->>'lesson_status', '') AS s) x
      WHERE c.enrolment_id = $1 AND c.valid
      GROUP BY c.sco_identifier`,
    [enrolmentId],
  );
  return new Map(rows.map((r) => [r.sco, { everPassed: r.ever_passed, everCompleted: r.ever_completed, latest: r.latest }]));
}

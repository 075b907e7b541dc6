/**
 * @module A cmi5 course as the gateway holds it (issue 16; cmi5 §13): the course, its blocks and
 * AUs read from `cmi5.xml` (`adapters/lms/cmi5-structure.ts`), stored as the package's summary
 * beside SCORM's (`version: 'cmi5'`, its AUs also listed as `scos` so the course's compliance
 * report, enrolments and file serving read it unchanged), and the moveOn criteria (§13.1.4). Pure.
 */
import type { ManifestSummary } from './elearning-compliance.ts';

/** §13.1.4 moveOn value space. */
export const CMI5_MOVE_ON = ['Passed', 'Completed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable'] as const;
export type Cmi5MoveOn = (typeof CMI5_MOVE_ON)[number];

export interface Cmi5Au {
  /** The publisher's id (§13.1.4 id), unaltered. */
  id: string;
  /** The LMS-generated activity id (§8.1.5: never the publisher's id; the same for every launch of the AU). */
  lmsId: string;
  title: string;
  description: string;
  /** `url` as written in cmi5.xml. */
  url: string;
  /** Its file in the package, and with its query (merged with the launch parameters at launch, §13.1.4 url). */
  launch: string;
  href: string;
  launchMethod: 'AnyWindow' | 'OwnWindow';
  moveOn: Cmi5MoveOn;
  /** Scaled, 0..1 (§13.1.4); null when not given. */
  masteryScore: number | null;
  activityType: string | null;
  launchParameters: string | null;
  entitlementKey: string | null;
  /** Publisher ids of the enclosing blocks, outermost first. */
  blocks: string[];
}

export interface Cmi5Block {
  id: string;
  lmsId: string;
  title: string;
  /** Publisher ids of the enclosing blocks, outermost first. */
  blocks: string[];
}

export interface Cmi5Structure {
  course: { id: string; lmsId: string; title: string; description: string };
  blocks: Cmi5Block[];
  /** In document order. */
  aus: Cmi5Au[];
}

/** The stored summary of a cmi5 package: a manifest summary whose SCOs are the AUs, plus the structure. */
export type Cmi5Summary = Omit<ManifestSummary, 'version'> & { version: 'cmi5'; cmi5: Cmi5Structure };

/** Whether a stored package summary is a cmi5 one. */
export function isCmi5Summary(m: { version: string }): m is Cmi5Summary {
  return m.version === 'cmi5' && 'cmi5' in m;
}

/** What the AU's accepted cmi5 defined statements of a registration showed (§13.1.4 moveOn). */
export interface AuFacts {
  completed: boolean;
  passed: boolean;
}

/**
 * §13.1.4 moveOn: "Passed" — a passed statement; "Completed" — a completed statement;
 * "CompletedAndPassed" — both; "CompletedOrPassed" — either; "NotApplicable" — satisfied as is.
 * §9.3.9: an AU the LMS waived has met its moveOn (the gateway issues no waived statement).
 */
export function moveOnMet(moveOn: Cmi5MoveOn, f: AuFacts): boolean {
  switch (moveOn) {
    case 'Passed':
      return f.passed;
    case 'Completed':
      return f.completed;
    case 'CompletedAndPassed':
      return f.completed && f.passed;
    case 'CompletedOrPassed':
      return f.completed || f.passed;
    case 'NotApplicable':
      return true;
  }
}

/**
 * The AU R-ELN-2 calls the final test. **Decision**: the last AU whose moveOn requires a pass
 * ("Passed" or "CompletedAndPassed"), else the last AU with a masteryScore, else the last AU —
 * the same "last judged unit" reading as SCORM's `finalTestOf`. Its accepted `passed` statement is
 * the test passed (its score was already held against the masteryScore when it was received, §9.3.4).
 */
export function cmi5FinalTest(aus: readonly Cmi5Au[]): string | null {
  for (let i = aus.length - 1; i >= 0; i--) if (aus[i]!.moveOn === 'Passed' || aus[i]!.moveOn === 'CompletedAndPassed') return aus[i]!.id;
  for (let i = aus.length - 1; i >= 0; i--) if (aus[i]!.masteryScore !== null) return aus[i]!.id;
  return aus.at(-1)?.id ?? null;
}

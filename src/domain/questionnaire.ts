/**
 * @module The post-webinar questionnaire (R-QST): the organiser's pool of 30, the draw of 5 with
 * shuffled options, scoring (4 of 5), the one retry on unseen questions, the deadline, the
 * state of a member's questionnaire, and the organiser rating (R-QST-9).
 *
 * Randomness is a parameter (`RandomInt`): production passes `crypto.randomInt` (R-QST-7), tests
 * a seeded generator. Nothing here knows the answer key of a member-facing view: `servedView`
 * is the only shape meant to reach a member, and it carries no `correct` field.
 */
import { deadlineAfter, type InstantLike } from './calendar.ts';
import { roundRational } from './rational.ts';

/**
 * Whether an event carries the post-webinar questionnaire: webinars of kind-e organisers, and
 * never a structured path (R-QST-1 excludes paths explicitly; paths are in-person or mixed anyway).
 * A mixed event has no question pool (R-QST-3), so its online attendees never have one either.
 *
 * @rule R-QST-1
 */
export function questionnaireApplies(organiserKind: string, mode: string, opts: { structuredPath?: boolean } = {}): boolean {
  return !opts.structuredPath && organiserKind === 'e' && mode === 'webinar';
}

/** The rule numbers, as data (R-QST-2, R-QST-3, R-QST-4, R-QST-5, R-QST-9). */
export const QUESTIONNAIRE_RULES = {
  /** Scientific questions the organiser supplies (R-QST-3). */
  poolSize: 30,
  /** Scientific questions drawn per attempt (R-QST-3). */
  drawSize: 5,
  /** Right answers needed to pass (R-QST-4). */
  passMark: 4,
  /** First attempt and one last try (R-QST-5). */
  maxAttempts: 2,
  /** Days to answer from the day the link is sent (R-QST-2, R-CAL-3). */
  deadlineDays: 10,
  minOptions: 2,
  maxOptions: 6,
  maxQuestionLength: 1000,
  maxOptionLength: 500,
  /** Quality answers are on a 1–10 scale (R-QST-3 decision); renewal needs 6/10 (R-QST-9). */
  qualityScale: { min: 1, max: 10 },
  ratingThreshold: 6,
} as const;

/**
 * The 5 quality questions (R-QST-3: set by the CN, about the organiser and the speakers), in
 * Italian as members read them. Data, not branches: the CN's wording can change here alone.
 */
export const QUALITY_QUESTIONS: ReadonlyArray<{ id: string; text: string }> = [
  { id: 'q1', text: "Quanto sono stati rilevanti gli argomenti trattati per l'esercizio della professione?" },
  { id: 'q2', text: 'Come valuta la preparazione e la chiarezza espositiva dei relatori?' },
  { id: 'q3', text: 'Come valuta la qualità del materiale didattico e degli esempi proposti?' },
  { id: 'q4', text: "Come valuta l'organizzazione dell'evento e la piattaforma utilizzata?" },
  { id: 'q5', text: "Qual è la sua valutazione complessiva dell'evento?" },
];

// ---------------------------------------------------------------------------------------------
// The pool (R-QST-3, R-QST-6)
// ---------------------------------------------------------------------------------------------

export interface PoolQuestionDraft {
  text: string;
  options: readonly string[];
  /** 0-based index of the one right option. */
  correct: number;
}

export type PoolViolationCode =
  | 'pool-size'
  | 'question-empty'
  | 'question-too-long'
  | 'option-count'
  | 'option-empty'
  | 'option-too-long'
  | 'duplicate-option'
  | 'correct-out-of-range'
  | 'duplicate-question';

export interface PoolViolation {
  code: PoolViolationCode;
  path: string;
  message: string;
}

/**
 * Every violation of a scientific-question pool, in a stable order; empty when the pool is valid:
 * exactly 30 questions, each with 2–6 distinct non-empty options and exactly one right answer
 * (an index into its options), no two questions alike (compared case- and space-insensitively).
 *
 * @example validatePool(thirtyQuestions) // → []
 * @rule R-QST-3
 */
export function validatePool(questions: readonly PoolQuestionDraft[]): PoolViolation[] {
  const R = QUESTIONNAIRE_RULES;
  const out: PoolViolation[] = [];
  const add = (code: PoolViolationCode, path: string, message: string) => out.push({ code, path, message });
  if (questions.length !== R.poolSize) {
    add('pool-size', 'questions', `the pool must hold exactly ${R.poolSize} scientific questions, it holds ${questions.length} (R-QST-3)`);
  }
  const seen = new Map<string, number>();
  questions.forEach((q, i) => {
    const text = normaliseText(q.text);
    if (!text) add('question-empty', `questions.${i}.text`, `question ${i + 1} has no text`);
    else if (q.text.trim().length > R.maxQuestionLength)
      add('question-too-long', `questions.${i}.text`, `question ${i + 1} is longer than ${R.maxQuestionLength} characters`);
    if (text) {
      const first = seen.get(text);
      if (first !== undefined) add('duplicate-question', `questions.${i}.text`, `question ${i + 1} repeats question ${first + 1}`);
      else seen.set(text, i);
    }
    if (q.options.length < R.minOptions || q.options.length > R.maxOptions) {
      add('option-count', `questions.${i}.options`, `question ${i + 1} must have ${R.minOptions}–${R.maxOptions} options, it has ${q.options.length}`);
    }
    const opts = new Map<string, number>();
    q.options.forEach((o, j) => {
      const t = normaliseText(o);
      if (!t) add('option-empty', `questions.${i}.options.${j}`, `option ${j + 1} of question ${i + 1} is empty`);
      else if (o.trim().length > R.maxOptionLength)
        add('option-too-long', `questions.${i}.options.${j}`, `option ${j + 1} of question ${i + 1} is longer than ${R.maxOptionLength} characters`);
      if (t && opts.has(t)) add('duplicate-option', `questions.${i}.options.${j}`, `option ${j + 1} of question ${i + 1} repeats option ${opts.get(t)! + 1}`);
      else if (t) opts.set(t, j);
    });
    if (!Number.isInteger(q.correct) || q.correct < 0 || q.correct >= q.options.length) {
      add(
        'correct-out-of-range',
        `questions.${i}.correct`,
        `question ${i + 1}: the right answer must be the index of one of its options (0–${Math.max(0, q.options.length - 1)})`,
      );
    }
  });
  return out;
}

function normaliseText(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('it');
}

// ---------------------------------------------------------------------------------------------
// Draws (R-QST-5, R-QST-7)
// ---------------------------------------------------------------------------------------------

/** A uniform integer in [0, n): `crypto.randomInt` in production (R-QST-7), seeded in tests. */
export type RandomInt = (n: number) => number;

/** What one attempt served: question ids in the order shown, and each one's option order. */
export interface Draw {
  questionIds: string[];
  /** `optionOrder[k][p]` = the pool index of the option shown at position `p` of question `k`. */
  optionOrder: number[][];
}

/**
 * Draws `drawSize` distinct questions from `pool`, none of them in `exclude` (the first attempt's
 * questions, R-QST-5), each with its options in a fresh random order. Uniform: a partial
 * Fisher–Yates shuffle of the eligible ids, then a full shuffle of each question's options.
 * Throws `RangeError` when fewer than `drawSize` questions are eligible (a pool of 30 always
 * leaves 25 for the retry).
 *
 * @example drawQuestions(pool, [], crypto.randomInt) // → { questionIds: [5 ids], optionOrder: [[2,0,1,3], …] }
 * @rule R-QST-5
 */
export function drawQuestions(
  pool: ReadonlyArray<{ id: string; optionCount: number }>,
  exclude: readonly string[],
  randomInt: RandomInt,
  drawSize: number = QUESTIONNAIRE_RULES.drawSize,
): Draw {
  const excluded = new Set(exclude);
  const eligible = pool.filter((q) => !excluded.has(q.id));
  if (eligible.length < drawSize) throw new RangeError(`only ${eligible.length} questions are eligible, ${drawSize} are needed`);
  const picked = partialShuffle(eligible, drawSize, randomInt);
  return {
    questionIds: picked.map((q) => q.id),
    optionOrder: picked.map((q) => partialShuffle(range(q.optionCount), q.optionCount, randomInt)),
  };
}

/** The first `k` items of a uniformly random permutation of `items` (Fisher–Yates, front to back). */
function partialShuffle<T>(items: readonly T[], k: number, randomInt: RandomInt): T[] {
  const a = items.slice();
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(a.length - i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.slice(0, k);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

// ---------------------------------------------------------------------------------------------
// Scoring (R-QST-4)
// ---------------------------------------------------------------------------------------------

export interface ScoreResult {
  /** Right answers among the served questions. */
  score: number;
  outOf: number;
  passed: boolean;
}

/**
 * Scores one attempt. `chosen[k]` is the position (as shown) the member picked for served
 * question `k`, or null if unanswered (counts as wrong); `correct` maps a question id to the pool
 * index of its right option. The shown position goes back through the attempt's option order,
 * so the member's view never needs the pool index.
 *
 * @example scoreAttempt(draw, [0, 2, 1, null, 3], key) // → { score: 4, outOf: 5, passed: true }
 * @rule R-QST-4
 */
export function scoreAttempt(draw: Draw, chosen: ReadonlyArray<number | null>, correct: ReadonlyMap<string, number>): ScoreResult {
  let score = 0;
  draw.questionIds.forEach((id, k) => {
    const pos = chosen[k];
    const order = draw.optionOrder[k]!;
    if (pos === null || pos === undefined || pos < 0 || pos >= order.length) return;
    if (order[pos] === correct.get(id)) score++;
  });
  return { score, outOf: draw.questionIds.length, passed: score >= QUESTIONNAIRE_RULES.passMark };
}

// ---------------------------------------------------------------------------------------------
// A member's questionnaire: deadline and state (R-QST-2, R-QST-5, R-QST-8)
// ---------------------------------------------------------------------------------------------

/**
 * Deadline of a questionnaire whose link was sent at `sentAt` (R-QST-2, R-CAL-3).
 * @rule R-QST-2
 */
export function questionnaireDeadline(sentAt: InstantLike): Date {
  return deadlineAfter(sentAt, QUESTIONNAIRE_RULES.deadlineDays);
}

export interface AttemptSummary {
  number: number;
  submitted: boolean;
  passed: boolean | null;
}

export type QuestionnaireState =
  /** No attempt submitted yet; an attempt may be in progress. */
  | { status: 'open'; attempt: number }
  /** The first attempt failed and the retry is still possible. */
  | { status: 'retry-available'; attempt: number }
  | { status: 'passed' }
  | { status: 'failed'; reason: 'failed-twice' }
  | { status: 'expired'; reason: 'deadline-passed' };

/**
 * Where a questionnaire stands at `now`, from its attempts and deadline (R-QST-4, R-QST-5, R-QST-8): passed as
 * soon as an attempt passes; failed after the second failed attempt; expired once the deadline
 * has passed without a pass (a submission received after the deadline does not count: the caller
 * refuses it, and this function decides on what was submitted in time). A null deadline means the
 * link has not reached the member yet: nothing expires (R-QST-2 counts from receiving it).
 */
export function questionnaireState(attempts: readonly AttemptSummary[], deadline: InstantLike | null, now: InstantLike): QuestionnaireState {
  const done = attempts.filter((a) => a.submitted).sort((a, b) => a.number - b.number);
  if (done.some((a) => a.passed)) return { status: 'passed' };
  if (done.length >= QUESTIONNAIRE_RULES.maxAttempts) return { status: 'failed', reason: 'failed-twice' };
  // No deadline: the member has not received the link yet, so the 10 days have not started.
  if (deadline !== null && ms(now) > ms(deadline)) return { status: 'expired', reason: 'deadline-passed' };
  if (done.length === 1) return { status: 'retry-available', attempt: 2 };
  return { status: 'open', attempt: 1 };
}

/**
 * The credit status a questionnaire gives the pending credits of its member (R-QST-1, R-QST-8):
 * granted on a pass, not granted (with the reason) after two fails or the deadline, otherwise
 * still pending.
 * @rule R-QST-8
 */
export function creditStatusOf(state: QuestionnaireState): { status: 'granted' | 'pending' | 'not-granted'; reason: string | null } {
  switch (state.status) {
    case 'passed':
      return { status: 'granted', reason: null };
    case 'failed':
      return { status: 'not-granted', reason: 'questionnaire-failed' };
    case 'expired':
      return { status: 'not-granted', reason: 'questionnaire-expired' };
    default:
      return { status: 'pending', reason: 'questionnaire-required' };
  }
}

// ---------------------------------------------------------------------------------------------
// Quality answers and the organiser rating (R-QST-3, R-QST-9)
// ---------------------------------------------------------------------------------------------

/** Whether a set of quality answers is complete and on the scale; null when valid, else a message. */
export function checkQualityAnswers(answers: Readonly<Record<string, number | null | undefined>>): string | null {
  const { min, max } = QUESTIONNAIRE_RULES.qualityScale;
  for (const q of QUALITY_QUESTIONS) {
    const v = answers[q.id];
    if (v === null || v === undefined) return `quality question ${q.id} is not answered`;
    if (!Number.isInteger(v) || v < min || v > max) return `quality question ${q.id} must be a whole number from ${min} to ${max}`;
  }
  return null;
}

export interface Rating {
  /** Questionnaires whose quality answers count. */
  responses: number;
  /** Mean of every quality answer, rounded to 2 decimals for display; null with no responses. */
  average: number | null;
  /** Mean per quality question, same rounding. */
  byQuestion: Record<string, number | null>;
  /** Below the 6/10 renewal threshold (R-QST-9), compared exactly, not on the rounded mean. */
  belowThreshold: boolean | null;
}

/**
 * The rating of an organiser or an event (R-QST-9): the average of all quality answers. Sums are
 * integers, so the threshold is compared exactly (sum < 6 × count).
 *
 * @example rate([{ q1: 5, q2: 6, q3: 7, q4: 6, q5: 6 }]) // → { responses: 1, average: 6, belowThreshold: false, … }
 * @rule R-QST-9
 */
export function rate(responses: ReadonlyArray<Readonly<Record<string, number>>>): Rating {
  const totals: Record<string, QualityTotal> = {};
  for (const q of QUALITY_QUESTIONS) {
    const t = { sum: 0, count: 0 };
    for (const r of responses) {
      const v = r[q.id];
      if (typeof v === 'number') {
        t.sum += v;
        t.count++;
      }
    }
    totals[q.id] = t;
  }
  return rateTotals(responses.length, totals);
}

/** The sum and number of one quality question's answers. */
export interface QualityTotal {
  sum: number;
  count: number;
}

/**
 * `rate` from sums already added up (by the database, for every organiser at once): the same
 * rating as `rate` of the responses they sum. Keys that are not quality questions are ignored.
 *
 * @rule R-QST-9
 */
export function rateTotals(responses: number, totals: Readonly<Record<string, QualityTotal | undefined>>): Rating {
  let sum = 0;
  let count = 0;
  const byQuestion: Record<string, number | null> = {};
  for (const q of QUALITY_QUESTIONS) {
    const t = totals[q.id] ?? { sum: 0, count: 0 };
    byQuestion[q.id] = t.count ? roundRational(t.sum * 100, t.count) / 100 : null;
    sum += t.sum;
    count += t.count;
  }
  return {
    responses,
    average: count ? roundRational(sum * 100, count) / 100 : null,
    byQuestion,
    belowThreshold: count ? sum < QUESTIONNAIRE_RULES.ratingThreshold * count : null,
  };
}

function ms(t: InstantLike): number {
  return typeof t === 'number' ? t : t.getTime();
}

/**
 * @module The refusals of the console's event forms as the problems a page lists: an operation's
 * `ServiceError` (an event's rule violations one by one, R-EVT-*; the question pool's, R-QST-3,
 * each naming its question and, for a file, its line), worded in Italian by the console's labels.
 */
import { EVENT_VIOLATIONS, eventRefusal, POOL_VIOLATIONS, wordOf } from '../../pages/console/labels.ts';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import type { FieldProblem } from '../../schemas/console-events.ts';
import { ServiceError } from '../../services/errors.ts';

/** A form problem with its Italian words. */
export function worded(p: FieldProblem | FormProblem): FormProblem {
  const base = 'text' in p && p.text ? p.text : eventRefusal(p.code);
  const row = 'row' in p && p.row ? p.row : null;
  const prefix = row && p.field?.startsWith('topic-') ? `Argomento ${row}: ` : row && p.field?.startsWith('fraction-') ? `Frazione ${row}: ` : '';
  return { code: p.code, ...(p.field ? { field: p.field } : {}), text: prefix + base };
}

const SIMPLE_FIELDS = new Set(['start', 'end', 'credits', 'toleranceMinutes', 'cpoProvince', 'venueProvince', 'mode', 'regionWide', 'fractionable', 'title']);

/** The form field of a violation's path in the event (`topics.1.start` → `topic-2-start`). */
function fieldOfEventPath(path: string): { field?: string; row?: number } {
  if (SIMPLE_FIELDS.has(path)) return { field: path };
  if (path === 'topics') return { field: 'topic-1-title' };
  if (path === 'fractions') return { field: 'fractionable' };
  const m = /^(topics|fractions)\.(\d+)(?:\.(\w+))?$/.exec(path);
  if (!m) return {};
  const row = Number(m[2]) + 1;
  const kind = m[1] === 'topics' ? 'topic' : 'fraction';
  const part = m[3] ?? (kind === 'topic' ? 'title' : 'start');
  return { field: `${kind}-${row}-${part}`, row };
}

/** Where the questions came from: a file (its lines by question) or the form (its blocks). */
export type PoolSource = { kind: 'file'; rows: readonly number[] } | { kind: 'form'; rows: readonly number[] };

/** One problem per R-QST-3 violation, naming the question (and its line in a file). */
export function poolProblems(errors: ReadonlyArray<{ code: string; path: string }>, source: PoolSource): FormProblem[] {
  return errors.map((v) => {
    const m = /^questions\.(\d+)(?:\.(text|options|correct))?/.exec(v.path);
    const words = wordOf(POOL_VIOLATIONS, v.code);
    if (!m) return { code: v.code, field: source.kind === 'file' ? 'questionsFile' : 'q-1-text', text: words };
    const i = Number(m[1]);
    const row = source.rows[i] ?? i + 1;
    if (source.kind === 'file') return { code: v.code, field: 'questionsFile', text: `Domanda ${i + 1} (riga ${row} del file): ${words}` };
    return { code: v.code, field: `q-${row}-${m[2] ?? 'text'}`, text: `Domanda ${row}: ${words}` };
  });
}

/** Fields an operation's refusal belongs to. */
const FIELD_OF: Readonly<Record<string, string>> = {
  'platform-meeting-exists': 'platformMeetingId',
  'question-pool-required': 'questionsFile',
  'questionnaire-not-applicable': 'mode',
};

/**
 * An operation's refusal as the page's problems: `invalid-event` as its violations, each at its
 * field; `invalid-question-pool` as its questions; anything else one problem (at `fileField`
 * for a file's refusals). Anything but a `ServiceError` is thrown on.
 */
export function problemsOfRefusal(err: unknown, opts: { pool?: PoolSource; fileField?: string } = {}): FormProblem[] {
  if (!(err instanceof ServiceError)) throw err;
  const errors = Array.isArray(err.extra?.errors) ? (err.extra.errors as Array<{ code: string; path: string }>) : [];
  if (err.code === 'invalid-event' && errors.length) {
    return [
      worded({ code: 'invalid-event' }),
      ...errors.map((v) => {
        const at = fieldOfEventPath(v.path);
        return worded({ code: v.code, ...at, text: wordOf(EVENT_VIOLATIONS, v.code) });
      }),
    ];
  }
  if (err.code === 'invalid-question-pool' && errors.length) {
    return [worded({ code: 'invalid-question-pool' }), ...poolProblems(errors, opts.pool ?? { kind: 'form', rows: [] })];
  }
  const field = FIELD_OF[err.code] ?? opts.fileField;
  return [worded({ code: err.code, ...(field ? { field } : {}) })];
}

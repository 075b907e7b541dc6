/**
 * @module The provider console's event forms (issue 14), parsed with zod: the new event (its
 * fields flat, as a browser form sends them, with a fixed number of topic and fraction rows),
 * the question pool typed in the form, the Zoom connection. Rome wall-clock date-times
 * (`datetime-local`) become instants with their offset (R-CAL-2), and the result is handed to the
 * API's own `EventCreate`, so the console and the API accept exactly the same events.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ROME, romeLocalToUtc } from '../domain/calendar.ts';
import { QUESTIONNAIRE_RULES } from '../domain/questionnaire.ts';
import { EVENT_MODES, PLATFORMS, type EventCreate } from './events.ts';

/** Rows the form offers (empty rows are ignored). */
export const TOPIC_ROWS = 5;
export const FRACTION_ROWS = 6;
export const POOL_ROWS = QUESTIONNAIRE_RULES.poolSize;

const text = (max: number) => z.string().trim().min(1).max(max);
const optional = (max: number) => z.string().trim().max(max).optional().default('');
const whole = z
  .string()
  .trim()
  .regex(/^\d{1,4}$/);
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const localDateTime = z.string().trim().regex(LOCAL);
const checkbox = z.string().optional();

/** The new event's own fields; topic, fraction and question rows are the extra fields (`topic-1-title`…), read by `eventDraftOfForm`. */
export const EventForm = z
  .object({
    title: text(500),
    mode: z.enum(EVENT_MODES),
    cpoProvince: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/),
    venueProvince: z
      .string()
      .trim()
      .regex(/^([A-Za-z]{2})?$/)
      .optional()
      .default(''),
    speakers: optional(20_000),
    start: localDateTime,
    end: localDateTime,
    credits: whole,
    toleranceMinutes: whole,
    fractionable: checkbox,
    structuredPath: checkbox,
    regionWide: checkbox,
    platformName: z
      .enum(['', ...PLATFORMS])
      .optional()
      .default(''),
    platformMeetingId: optional(200),
  })
  .catchall(z.string().max(20_000));
export type EventForm = z.infer<typeof EventForm>;

/** A form problem: the field it belongs to and its code (worded by the console's labels). */
export interface FieldProblem {
  code: string;
  field?: string;
  /** A row's number, for the wording (topic 2, fraction 3, question 7). */
  row?: number;
}

/** A Rome wall-clock reading as an ISO instant with its offset (`2026-05-10T14:00:00.000+02:00`), or null. */
export function romeInstant(local: string): string | null {
  if (!LOCAL.test(local)) return null;
  try {
    return DateTime.fromJSDate(romeLocalToUtc(local), { zone: ROME }).toISO();
  } catch {
    return null;
  }
}

/** An instant as the `datetime-local` value of a Rome wall clock. */
export function romeLocal(instant: string): string {
  return DateTime.fromISO(instant, { zone: ROME }).toFormat("yyyy-MM-dd'T'HH:mm");
}

const on = (v: string | undefined) => v === 'on' || v === 'true' || v === '1';

/**
 * The API's event draft from the form: topics (a single topic without times spans the event),
 * fractions when the event is fractionable, the platform when its meeting id is given. Row
 * fields that cannot be read are problems; the rules themselves are `validateEvent`'s.
 */
export function eventDraftOfForm(f: EventForm): { draft: Omit<EventCreate, 'questions'>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const extra = f as Record<string, string | undefined>;
  const instant = (field: string, row?: number): string => {
    const v = (extra[field] ?? '').trim();
    const i = romeInstant(v);
    if (!i) problems.push({ code: v ? 'invalid-date-time' : 'required-field', field, ...(row ? { row } : {}) });
    return i ?? '';
  };
  const start = instant('start');
  const end = instant('end');
  const topics: EventCreate['topics'] = [];
  for (let i = 1; i <= TOPIC_ROWS; i++) {
    const title = (extra[`topic-${i}-title`] ?? '').trim();
    const s = (extra[`topic-${i}-start`] ?? '').trim();
    const e = (extra[`topic-${i}-end`] ?? '').trim();
    if (!title && !s && !e) continue;
    if (!title) problems.push({ code: 'required-field', field: `topic-${i}-title`, row: i });
    const spansEvent = !s && !e && i === 1 && !Array.from({ length: TOPIC_ROWS - 1 }, (_, k) => extra[`topic-${k + 2}-title`] ?? '').some((t) => t.trim());
    topics.push({
      title: title.slice(0, 500) || '—',
      start: spansEvent ? start : instant(`topic-${i}-start`, i),
      end: spansEvent ? end : instant(`topic-${i}-end`, i),
      deontology: on(extra[`topic-${i}-deontology`]),
    });
  }
  if (!topics.length) problems.push({ code: 'topics-missing', field: 'topic-1-title' });
  const fractionable = on(f.fractionable);
  const fractions: NonNullable<EventCreate['fractions']> = [];
  if (fractionable) {
    for (let i = 1; i <= FRACTION_ROWS; i++) {
      const s = (extra[`fraction-${i}-start`] ?? '').trim();
      const e = (extra[`fraction-${i}-end`] ?? '').trim();
      const c = (extra[`fraction-${i}-credits`] ?? '').trim();
      if (!s && !e && !c) continue;
      if (!/^\d{1,4}$/.test(c)) problems.push({ code: c ? 'invalid-number' : 'required-field', field: `fraction-${i}-credits`, row: i });
      fractions.push({
        start: instant(`fraction-${i}-start`, i),
        end: instant(`fraction-${i}-end`, i),
        credits: Number(c) || 0,
        ...(on(extra[`fraction-${i}-autonomous`]) ? { autonomous: true } : {}),
      });
    }
  }
  const speakers = f.speakers
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  const draft: Omit<EventCreate, 'questions'> = {
    title: f.title,
    cpoProvince: f.cpoProvince.toUpperCase(),
    mode: f.mode,
    venueProvince: f.venueProvince ? f.venueProvince.toUpperCase() : null,
    speakers,
    topics,
    start,
    end,
    credits: Number(f.credits),
    fractionable,
    fractions: fractionable ? fractions : null,
    toleranceMinutes: Number(f.toleranceMinutes),
    regionWide: on(f.regionWide),
    structuredPath: on(f.structuredPath),
    ...(f.platformMeetingId ? { platform: { name: f.platformName || 'generic', meetingId: f.platformMeetingId } } : {}),
  };
  return { draft, problems };
}

/** An event as the form's values (the inverse of `eventDraftOfForm`), to change it (R-CHG-1). */
export function formValuesOfEvent(
  e: Pick<
    EventCreate,
    | 'title'
    | 'cpoProvince'
    | 'mode'
    | 'venueProvince'
    | 'speakers'
    | 'topics'
    | 'start'
    | 'end'
    | 'credits'
    | 'fractionable'
    | 'fractions'
    | 'toleranceMinutes'
    | 'regionWide'
    | 'structuredPath'
  > & {
    platform?: EventCreate['platform'] | null;
  },
): Record<string, string> {
  const v: Record<string, string> = {
    title: e.title,
    mode: e.mode,
    cpoProvince: e.cpoProvince,
    venueProvince: e.venueProvince ?? '',
    speakers: e.speakers.join('\n'),
    start: romeLocal(e.start),
    end: romeLocal(e.end),
    credits: String(e.credits),
    toleranceMinutes: String(e.toleranceMinutes ?? ''),
    platformName: e.platform?.name ?? '',
    platformMeetingId: e.platform?.meetingId ?? '',
  };
  if (e.fractionable) v.fractionable = 'on';
  if (e.regionWide) v.regionWide = 'on';
  if (e.structuredPath) v.structuredPath = 'on';
  e.topics.slice(0, TOPIC_ROWS).forEach((t, i) => {
    v[`topic-${i + 1}-title`] = t.title;
    v[`topic-${i + 1}-start`] = romeLocal(t.start);
    v[`topic-${i + 1}-end`] = romeLocal(t.end);
    if (t.deontology) v[`topic-${i + 1}-deontology`] = 'on';
  });
  (e.fractions ?? []).slice(0, FRACTION_ROWS).forEach((f, i) => {
    v[`fraction-${i + 1}-start`] = romeLocal(f.start);
    v[`fraction-${i + 1}-end`] = romeLocal(f.end);
    v[`fraction-${i + 1}-credits`] = String(f.credits);
    if (f.autonomous) v[`fraction-${i + 1}-autonomous`] = 'on';
  });
  return v;
}

/** Whether any question was typed in the form (`q-1-text`…). */
export function poolTyped(fields: Record<string, string | undefined>): boolean {
  for (let i = 1; i <= POOL_ROWS; i++) if ((fields[`q-${i}-text`] ?? '').trim() || (fields[`q-${i}-options`] ?? '').trim()) return true;
  return false;
}

/**
 * The questions typed in the form, in order: text, options one per line, the right one by its
 * number (1 = the first line). Fully empty rows are left out; whether the pool is valid is
 * R-QST-3's (`validatePool`), so an unreadable right answer stays an impossible index.
 */
export function poolOfForm(fields: Record<string, string | undefined>): {
  questions: Array<{ text: string; options: string[]; correct: number }>;
  rows: number[];
} {
  const questions: Array<{ text: string; options: string[]; correct: number }> = [];
  const rows: number[] = [];
  for (let i = 1; i <= POOL_ROWS; i++) {
    const t = (fields[`q-${i}-text`] ?? '').slice(0, 20_000);
    const o = (fields[`q-${i}-options`] ?? '').slice(0, 20_000);
    const c = (fields[`q-${i}-correct`] ?? '').trim();
    if (!t.trim() && !o.trim() && !c) continue;
    const options = o
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean)
      .slice(0, 50);
    questions.push({ text: t.trim(), options, correct: /^\d{1,2}$/.test(c) ? Number(c) - 1 : Number.NaN });
    rows.push(i);
  }
  return { questions, rows };
}

/** The Zoom connection: the app's webhook Secret Token. */
export const ConnectionForm = z.object({ secretToken: z.string().trim().min(1).max(500) });

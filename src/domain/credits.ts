/** @module What a qualified span is worth: deontology share, mode and credit status (R-CAL-4, R-CAL-6, R-FAD-1, R-QST-1). */
import { questionnaireApplies } from './questionnaire.ts';
import { roundRational } from './rational.ts';

export interface Topic {
  start: number;
  end: number;
  deontology: boolean;
}

/**
 * Whole minutes of deontology topics inside the given spans (each topic's overlap with each span
 * rounded to the minute, then summed). Spans must not overlap each other.
 */
export function deontologyMinutesIn(topics: readonly Topic[], spans: ReadonlyArray<{ start: number; end: number }>): number {
  let minutes = 0;
  for (const t of topics) {
    if (!t.deontology) continue;
    for (const span of spans) {
      const a = Math.max(t.start, span.start);
      const b = Math.min(t.end, span.end);
      if (b > a) minutes += Math.round((b - a) / 60_000);
    }
  }
  return minutes;
}

/**
 * Deontology credits of a credited span: the whole hours of deontology topics inside it
 * (R-CAL-6, 1 hour = 1 credit), rounded by R-CAL-4, never more than the span's credits.
 */
export function deontologyCredits(topics: readonly Topic[], span: { start: number; end: number }, credits: number): number {
  return Math.min(credits, roundRational(deontologyMinutesIn(topics, [span]), 60));
}

/**
 * Evidence sources that are a webinar platform: the platform API (`api:<key id>`), a Zoom
 * connection (`zoom:<connection>`) and platform attendance reports (`report:<format>`).
 * Organiser uploads (`upload`, `upload:in-person`) and corrections (`correction`) are not.
 */
export function isPlatformSource(source: string | null | undefined): boolean {
  return !!source && (source.startsWith('api:') || source.startsWith('zoom:') || source.startsWith('report:'));
}

/** The source of an attendance file uploaded with `presence=in-person` (a signed sheet of the room, R-TPL-3). */
export const IN_PERSON_UPLOAD_SOURCE = 'upload:in-person';
/** The source of organiser corrections (R-EVT-7): they complete intervals, never say how one attended. */
export const CORRECTION_SOURCE = 'correction';

/**
 * The mode a member's credits count under (R-FAD-1): the event's mode, except for a mixed
 * ("duale") event, which counts by how the member actually attended.
 *
 * **Decision** (R-FAD-1), conservative by default: a member of a mixed event attended **in
 * person** only when at least one of their presence records came from an attendance file
 * uploaded as in person (`upload:in-person`, `presence=in-person`: a signed sheet of the room)
 * and every other record is an organiser `correction` (corrections only complete intervals; they
 * say nothing about the mode). Anything else is a **webinar**: any platform record
 * (`isPlatformSource`), any plain `upload` (the default `presence=online`: the attendance-file
 * upload is also how webinar attendance is loaded), or corrections alone. Any online presence
 * makes the whole attendance distance learning: the 40% cap (R-FAD-2) is never escaped by mixing
 * or by uploading, and the balance reads this mode from the credit record.
 *
 * @example attendedMode('mixed', ['upload:in-person', 'correction']) // → 'in-person'
 * @example attendedMode('mixed', ['upload']) // → 'webinar'
 * @example attendedMode('mixed', ['upload:in-person', 'zoom:c1']) // → 'webinar'
 */
export function attendedMode(eventMode: string, sources: Iterable<string | null | undefined>): string {
  if (eventMode !== 'mixed') return eventMode;
  let inPerson = false;
  for (const s of sources) {
    if (s === IN_PERSON_UPLOAD_SOURCE) inPerson = true;
    else if (s !== CORRECTION_SOURCE) return 'webinar';
  }
  return inPerson ? 'in-person' : 'webinar';
}

/**
 * Credits of a kind e organiser's webinar stay pending until the member passes the
 * questionnaire (R-QST-1); everything else is granted on qualifying.
 *
 * `mode` is the event's mode as accredited ("held as webinar"), not how a member attended a mixed
 * event: a mixed event has no question pool (R-QST-3), so its online attendees are never pending.
 * A structured path (R-EVT-6) never has a questionnaire (R-QST-1 excludes paths explicitly; paths
 * are in-person or mixed anyway), so its credits are granted whatever the mode.
 */
export function creditStatus(organiserKind: string, mode: string, opts: { structuredPath?: boolean } = {}): 'granted' | 'pending' {
  return questionnaireApplies(organiserKind, mode, opts) ? 'pending' : 'granted';
}

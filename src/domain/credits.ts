/** @module What a qualified span is worth: deontology share and credit status (R-CAL-4/6, R-QST-1). */
import { roundRational } from './rational.ts';

export interface Topic {
  start: number;
  end: number;
  deontology: boolean;
}

/**
 * Deontology credits of a credited span: the whole hours of deontology topics inside it
 * (R-CAL-6, 1 hour = 1 credit), rounded by R-CAL-4, never more than the span's credits.
 */
export function deontologyCredits(topics: readonly Topic[], span: { start: number; end: number }, credits: number): number {
  let minutes = 0;
  for (const t of topics) {
    if (!t.deontology) continue;
    const a = Math.max(t.start, span.start);
    const b = Math.min(t.end, span.end);
    if (b > a) minutes += Math.round((b - a) / 60_000);
  }
  return Math.min(credits, roundRational(minutes, 60));
}

/**
 * Credits of a kind e organiser's webinar stay pending until the member passes the
 * questionnaire (R-QST-1); everything else is granted on qualifying.
 */
export function creditStatus(organiserKind: string, mode: string): 'granted' | 'pending' {
  return organiserKind === 'e' && mode === 'webinar' ? 'pending' : 'granted';
}

/**
 * @module The CN's national view of a biennium (issue 15, art. 26 c.4, R-VER-7): every CPO's
 * verification (whether and when it ran, members in order in number and share, reductions,
 * debts), the events each CPO organised by mode and accredited, the national totals, and the
 * CSV of the same table. A province that has not run the verification reads "Non eseguita".
 */
import type { VerificationAggregates } from '../../domain/verification.ts';
import type { ProvinceAggregates } from '../../services/council/verification.ts';
import { italianDateTime, withArticle } from '../format.ts';
import { MODE_LABELS } from '../labels.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { provinceName, StackTable } from './controls.tsx';

export interface NationalView {
  biennium: number;
  provinces: readonly ProvinceAggregates[];
  totals: VerificationAggregates;
  /** Provinces listed that have not run the February phase. */
  late: number;
}

const pct = (n: number) => `${n.toLocaleString('it-IT', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}%`;

/** "3 in presenza, 1 webinar": the modes of the events a CPO organised, in words. */
export function modesInWords(byMode: Readonly<Record<string, number>>): string {
  const parts = Object.entries(byMode).map(([mode, n]) => `${n} ${(MODE_LABELS as Record<string, string>)[mode]?.toLowerCase() ?? mode}`);
  return parts.length ? parts.join(', ') : '—';
}

/** "5 accolti: 2 recuperati, 1 non recuperato, 2 in corso" ("—" in a table cell when none). */
export function debtsInWords(d: VerificationAggregates['debts']): string {
  if (d.accepted === 0) return '—';
  const parts = [
    d.settled ? `${d.settled} ${d.settled === 1 ? 'recuperato' : 'recuperati'}` : null,
    d.notSettled ? `${d.notSettled} non ${d.notSettled === 1 ? 'recuperato' : 'recuperati'}` : null,
    d.pending ? `${d.pending} in corso` : null,
  ].filter(Boolean);
  return `${d.accepted} ${d.accepted === 1 ? 'accolto' : 'accolti'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

export function nationalPage(person: ConsolePerson, v: NationalView) {
  const q = new URLSearchParams({ biennio: String(v.biennium) });
  const t = v.totals;
  return consolePage(
    person,
    '/console/nazionale',
    'Quadro nazionale',
    <>
      <h1>
        Quadro nazionale del biennio {v.biennium}–{v.biennium + 1}
      </h1>
      <p>
        La verifica di ogni Consiglio provinciale al 28 febbraio {v.biennium + 2} (con il riesame dei debiti al 30 giugno) e gli eventi che ciascuno ha
        organizzato nel biennio (art. 26, commi 3 e 4, del Regolamento).
      </p>
      <form method="get" action="/console/nazionale" class="card">
        <label for="biennio">Biennio (anno di inizio, dispari)</label>
        <input type="number" id="biennio" name="biennio" value={String(v.biennium)} step="2" />
        <p>
          <button type="submit" class="secondary">
            Mostra
          </button>
        </p>
      </form>
      <section class="card" aria-labelledby="totali">
        <h2 id="totali">Totale nazionale</h2>
        <p>
          Province con la verifica eseguita: {v.provinces.length - v.late} di {v.provinces.length}
          {v.late ? <strong> ({v.late} non eseguita)</strong> : null}. Iscritti verificati: {t.members}; soggetti all’obbligo: {t.subject}; in regola:{' '}
          {t.inOrder} ({pct(t.inOrderPct)}). Riduzioni: {t.reductions}. Debiti: {t.debts.accepted ? debtsInWords(t.debts) : 'nessuno'}.
        </p>
        <p>
          <a href={`/console/nazionale/esporta.csv?${q}`}>Scarica il quadro (CSV)</a>
        </p>
      </section>
      {v.provinces.length === 0 ? (
        <p>Nessuna provincia ha iscritti, eventi o verifiche di questo biennio.</p>
      ) : (
        <StackTable
          rows={v.provinces}
          columns={[
            {
              label: 'Consiglio provinciale',
              cell: (p) => <a href={`/console/verifiche?provincia=${p.province}&biennio=${v.biennium}`}>{provinceName(p.province)}</a>,
            },
            {
              label: 'Verifica',
              cell: (p) =>
                p.february ? (
                  `Versione ${p.februaryVersion}${p.juneVersion ? ` (giugno: versione ${p.juneVersion})` : ''}, eseguita ${withArticle('il', italianDateTime(new Date(p.february.createdAt)))}`
                ) : (
                  <strong data-status="late">Non eseguita</strong>
                ),
            },
            { label: 'Iscritti', cell: (p) => String(p.aggregates?.members ?? p.registered) },
            { label: 'In regola', cell: (p) => (p.aggregates ? `${p.aggregates.inOrder} di ${p.aggregates.subject} (${pct(p.aggregates.inOrderPct)})` : '—') },
            { label: 'Riduzioni', cell: (p) => (p.aggregates ? String(p.aggregates.reductions) : '—') },
            { label: 'Debiti', cell: (p) => (p.aggregates ? debtsInWords(p.aggregates.debts) : '—') },
            {
              label: 'Eventi organizzati dal CPO',
              cell: (p) => `${p.events.organised.total}${p.events.organised.total ? ` (${modesInWords(p.events.organised.byMode)})` : ''}`,
            },
            { label: 'Eventi accreditati', cell: (p) => String(p.events.accredited) },
          ]}
        />
      )}
    </>,
  );
}

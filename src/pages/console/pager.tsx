/**
 * @module Pages of a long list by offset, with plain links (they work without JavaScript): where
 * this page sits ("Questionari 201–400 di 10.000") and the previous and next pages.
 */

export interface OffsetPagerProps {
  /** The page's address without the offset; `da` is added to it. */
  base: string;
  /** What the list holds, plural and capitalised: "Questionari". */
  noun: string;
  /** Names the navigation for screen readers: "Pagine dei questionari". */
  label: string;
  offset: number;
  /** Rows on this page. */
  shown: number;
  total: number;
  perPage: number;
  /** The offset of the next page, null on the last (as the services give it). */
  next: number | null;
  /** A fragment to land on, e.g. "#elenco". */
  hash?: string;
}

const count = (n: number) => n.toLocaleString('it-IT');

export function OffsetPager(p: OffsetPagerProps) {
  if (p.total === 0) return null;
  const hash = p.hash ?? '';
  const at = (offset: number) => `${p.base}${offset > 0 ? `${p.base.includes('?') ? '&' : '?'}da=${offset}` : ''}${hash}`;
  const where = p.shown ? `${p.noun} ${count(p.offset + 1)}–${count(p.offset + p.shown)} di ${count(p.total)}` : `${p.noun}: ${count(p.total)} in tutto`;
  return (
    <nav class="pager" aria-label={p.label}>
      <span>{where}</span>
      {p.offset > 0 ? (
        <a href={at(Math.max(0, Math.min(p.offset, p.total) - p.perPage))} rel="prev">
          Pagina precedente
        </a>
      ) : null}
      {p.next !== null ? (
        <a href={at(p.next)} rel="next">
          Pagina successiva
        </a>
      ) : null}
    </nav>
  );
}

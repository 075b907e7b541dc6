/** The console's offset pager: where the page sits in Italian, and plain links to its neighbours. */
import { describe, expect, it } from 'vitest';
import { OffsetPager, type OffsetPagerProps } from '../../src/pages/console/pager.tsx';

const base = '/console/eventi/e1/questionario';
const html = (p: Partial<OffsetPagerProps>) =>
  String(
    OffsetPager({ base, noun: 'Questionari', label: 'Pagine dei questionari', offset: 0, shown: 200, total: 10_000, perPage: 200, next: 200, ...p }) ?? '',
  );

describe('OffsetPager', () => {
  it('says which rows the page shows, with Italian thousands, and links both ways', () => {
    const out = html({ offset: 200, next: 400 });
    expect(out).toContain('Questionari 201–400 di 10.000');
    expect(out).toContain(`href="${base}" rel="prev">Pagina precedente`);
    expect(out).toContain(`href="${base}?da=400" rel="next">Pagina successiva`);
  });

  it('has no previous link on the first page and no next link on the last', () => {
    expect(html({})).not.toContain('Pagina precedente');
    const last = html({ offset: 9_800, next: null });
    expect(last).toContain('Questionari 9801–10.000 di 10.000');
    expect(last).toContain(`href="${base}?da=9600"`);
    expect(last).not.toContain('Pagina successiva');
  });

  it('keeps a query already in the address and lands on the fragment', () => {
    expect(html({ base: `${base}?stato=open`, offset: 0, hash: '#elenco' })).toContain(`href="${base}?stato=open&amp;da=200#elenco"`);
  });

  it('past the end still gives the total; nothing for an empty list', () => {
    expect(html({ offset: 20_000, shown: 0, next: null })).toContain('Questionari: 10.000 in tutto');
    expect(html({ total: 0, shown: 0, next: null })).toBe('');
  });
});

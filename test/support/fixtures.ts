/** @module Test data builders: valid codici fiscali, members, a past webinar. */
import { DateTime } from 'luxon';
import { checkLetter } from '../../src/domain/codice-fiscale.ts';
import type { Harness } from './harness.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A syntactically valid codice fiscale, distinct for each n (check letter computed). */
export function codiceFiscale(n: number): string {
  const l = (k: number) => LETTERS[k % 26]!;
  const surname = l(n) + l(n >> 5) + l(n >> 10);
  const name = l(n >> 15) + l(n * 7) + l(n * 13);
  const year = String(50 + (n % 50)).padStart(2, '0');
  const month = 'ABCDEHLMPRST'[n % 12]!;
  const day = String(1 + (n % 28)).padStart(2, '0');
  const town = `${l(n * 3)}${String(100 + (n % 900)).padStart(3, '0')}`;
  const first15 = surname + name + year + month + day + town;
  return first15 + checkLetter(first15);
}

export interface CreatedMember {
  id: string;
  codiceFiscale: string;
  province: string;
  email: string;
}

export async function createMembers(h: Harness, key: string, provinces: string[], offset = 0): Promise<CreatedMember[]> {
  const out: CreatedMember[] = [];
  for (let i = 0; i < provinces.length; i++) {
    const n = offset + i;
    const cf = codiceFiscale(n + 1);
    const email = `member${n}@studio.example.it`;
    const res = await h.api('POST', '/v1/members', {
      key,
      body: {
        codiceFiscale: cf,
        surname: `Cognome${n}`,
        givenName: `Nome${n}`,
        province: provinces[i],
        registerNumber: String(1000 + n),
        birthDate: '1980-01-01',
        registrationDate: '2010-01-01',
        email,
      },
    });
    if (res.status !== 201) throw new Error(`member create ${res.status} ${res.text}`);
    out.push({ id: res.body.id, codiceFiscale: cf, province: provinces[i]!, email });
  }
  return out;
}

/** Creates a kind-a organiser (a CPO organising its own events: self-accredited) and its keys. */
export async function createCpoOrganiser(h: Harness, province: string) {
  const cn = await h.key('cn');
  const res = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'a', name: `CPO ${province}`, province } });
  if (res.status !== 201) throw new Error(`organiser create ${res.status} ${res.text}`);
  const organiserId = res.body.id as string;
  return {
    organiserId,
    cn,
    organiser: await h.key('organiser', organiserId),
    platform: await h.key('platform', organiserId),
    cpo: await h.key('cpo', province),
  };
}

/** A past webinar of `hours` hours starting at `startMs`, accredited by the MI CPO; first hour deontology. */
export function pastWebinar(startMs: number, hours: number, extra: Record<string, unknown> = {}) {
  const end = startMs + hours * 3600_000;
  return {
    title: 'Novità in materia di lavoro',
    cpoProvince: 'MI',
    mode: 'webinar',
    speakers: ['Relatore Uno'],
    topics: [
      { title: 'Deontologia professionale', start: new Date(startMs).toISOString(), end: new Date(startMs + 3600_000).toISOString(), deontology: true },
      { title: 'Contratti di lavoro', start: new Date(startMs + 3600_000).toISOString(), end: new Date(end).toISOString(), deontology: false },
    ],
    start: new Date(startMs).toISOString(),
    end: new Date(end).toISOString(),
    credits: hours,
    ...extra,
  };
}

/** `hour`:00 Rome time, `daysAgo` calendar days before today (Rome), as epoch ms. */
export function romeAfternoon(daysAgo: number, hour = 14): number {
  return DateTime.now().setZone('Europe/Rome').minus({ days: daysAgo }).set({ hour, minute: 0, second: 0, millisecond: 0 }).toMillis();
}

/**
 * A valid pool of 30 scientific questions (R-QST-3): question i has 3–6 options, the right one at
 * index i % options. Texts are unique per question and option, so a test can tell from a page
 * exactly which pool questions and options it shows.
 */
export function questionPool(n = 30, tag = 'Q') {
  return Array.from({ length: n }, (_, i) => {
    const count = 3 + (i % 4);
    return {
      text: `${tag}${String(i + 1).padStart(2, '0')} Quale norma disciplina il caso numero ${i + 1}?`,
      options: Array.from({ length: count }, (_, j) => `${tag}${String(i + 1).padStart(2, '0')} risposta ${String.fromCharCode(65 + j)}`),
      correct: i % count,
    };
  });
}

/** A kind-e organiser (authorised by the CN for webinars, R-EVT-2) and its keys; accredited by the `province` CPO. */
export async function createKindEOrganiser(h: Harness, province: string, authorised: { from: string; until: string }) {
  const cn = await h.key('cn');
  const res = await h.api('POST', '/v1/organisers', {
    key: cn,
    body: {
      kind: 'e',
      name: 'Formazione Lavoro Srl',
      authorisationNumber: 'CN-2026-007',
      authorisedFrom: authorised.from,
      authorisedUntil: authorised.until,
      allowedModes: ['webinar', 'in-person'],
    },
  });
  if (res.status !== 201) throw new Error(`organiser create ${res.status} ${res.text}`);
  const organiserId = res.body.id as string;
  return {
    organiserId,
    cn,
    admin: await h.key('admin'),
    organiser: await h.key('organiser', organiserId),
    platform: await h.key('platform', organiserId),
    cpo: await h.key('cpo', province),
  };
}

/** A webinar of a kind-e organiser accredited by the MI CPO (no pool: add `questions`). */
export function kindEWebinar(start: number, end: number) {
  return {
    title: 'Aggiornamento sul diritto del lavoro',
    cpoProvince: 'MI',
    mode: 'webinar',
    speakers: ['Relatrice Una'],
    topics: [{ title: 'Contratti', start: new Date(start).toISOString(), end: new Date(end).toISOString(), deontology: false }],
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    credits: 2,
    platform: { name: 'generic', meetingId: `m-${start}` },
  };
}

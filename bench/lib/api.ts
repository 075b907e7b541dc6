/**
 * @module Set-up through the gateway's own API (not measured): keys, an organiser, a past
 * webinar, members (CSV import) and registrations, as a platform or organiser would create them.
 */
import type { Role } from '../../src/domain/roles.ts';
import { issueOperatorKey } from '../../src/services/keys.ts';
import type { Db } from '../../src/store/db.ts';

export interface Api {
  call(
    method: string,
    path: string,
    opts?: { key?: string; body?: unknown; raw?: string; contentType?: string },
  ): Promise<{ status: number; body: any; text: string }>;
}

export function api(baseUrl: string): Api {
  return {
    async call(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (o.key) headers.authorization = `Bearer ${o.key}`;
      let body: string | undefined;
      if (o.raw !== undefined) {
        body = o.raw;
        headers['content-type'] = o.contentType ?? 'text/plain';
      } else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(baseUrl + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text };
    },
  };
}

export async function key(db: Db, role: Role, subject: string | null = null): Promise<string> {
  return (await issueOperatorKey(db, { role, subject, label: `bench ${role}` })).key;
}

function expect(res: { status: number; text: string }, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
}

export interface Organiser {
  organiserId: string;
  organiser: string;
  platform: string;
  cn: string;
  cpo: string;
}

/** A kind-a organiser (the Milan CPO, self-accrediting) with organiser, platform, cn and cpo keys. */
export async function createOrganiser(db: Db, a: Api, province = 'MI'): Promise<Organiser> {
  const cn = await key(db, 'cn');
  const res = await a.call('POST', '/v1/organisers', { key: cn, body: { kind: 'a', name: `CPO ${province} (bench)`, province } });
  expect(res, 201, 'create organiser');
  const organiserId = res.body.id as string;
  return {
    organiserId,
    cn,
    organiser: await key(db, 'organiser', organiserId),
    platform: await key(db, 'platform', organiserId),
    cpo: await key(db, 'cpo', province),
  };
}

/**
 * A region-wide webinar of `hours` hours that ended a little before now, the first hour on
 * deontology, created by the organiser; with `fractionable`, one fraction (1 credit) per hour;
 * `startMs` to start it at another time (past).
 * Returns its id, start and end (epoch ms).
 */
export async function createPastWebinar(
  a: Api,
  org: Organiser,
  hours = 2,
  title = 'Bench webinar',
  fractionable = false,
  startMs?: number,
): Promise<{ id: string; start: number; end: number }> {
  const start = startMs ?? Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000 - hours * 3600_000;
  const end = start + hours * 3600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const res = await a.call('POST', '/v1/events', {
    key: org.organiser,
    body: {
      title,
      cpoProvince: 'MI',
      mode: 'webinar',
      speakers: ['Relatore'],
      topics: [
        { title: 'Deontologia professionale', start: iso(start), end: iso(start + 3600_000), deontology: true },
        { title: 'Contratti di lavoro', start: iso(start + 3600_000), end: iso(end), deontology: false },
      ],
      start: iso(start),
      end: iso(end),
      credits: hours,
      regionWide: true,
      ...(fractionable
        ? {
            fractionable: true,
            fractions: Array.from({ length: hours }, (_, i) => ({ start: iso(start + i * 3600_000), end: iso(start + (i + 1) * 3600_000), credits: 1 })),
          }
        : {}),
    },
  });
  expect(res, 201, 'create event');
  return { id: res.body.id as string, start, end };
}

export { expect as expectStatus };

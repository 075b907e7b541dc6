/**
 * @module `npm run cli -- demo`: fills an empty database with a realistic sample, so that a
 * newcomer sees the product work without waiting days (a kind-e webinar needs 20 days' notice,
 * ingest refuses future times). It runs the product itself in this process (gateway and
 * workers, on a free port) and drives its public API with keys, as platforms and councils would;
 * the product's clock is moved back only to create and accredit the kind-e webinar in time.
 *
 * What it makes: organisers of kinds a, b, d and e, 30 members (Milano and Roma), two past
 * webinars with joins and leaves derived into outcomes (credited, absent beyond the tolerance,
 * incomplete, an unmatched participant), questionnaires waiting in the outbox, a kind-e webinar
 * awaiting accreditation, an e-learning course with its SCORM package and enrolments, and staff
 * accounts (admin, the Milano council, the kind-e provider's office) with their one-time links.
 */
import { DateTime } from 'luxon';
import yazl from 'yazl';
import { loadConfig, type Config } from './config.ts';
import { checkLetter } from './domain/codice-fiscale.ts';
import { createLogger } from './log.ts';
import { startRuntime } from './runtime.ts';
import { issueOperatorKey } from './services/keys.ts';
import { hasStaffAccounts, inviteStaff } from './services/staff/accounts.ts';
import type { Db } from './store/db.ts';

const ROME = 'Europe/Rome';
const DAY = 86_400_000;
const MIN = 60_000;

export interface DemoResult {
  lines: string[];
}

/**
 * Runs the demo against the database of `env` (or `opts.db`, already open; `opts.schema` on
 * Postgres); refuses a database that already holds data.
 */
export async function runDemo(env: NodeJS.ProcessEnv, opts: { db?: Db; schema?: string } = {}): Promise<DemoResult> {
  const base = loadConfig(env);
  const publicUrl = (base.PUBLIC_URL ?? `http://${base.HOST === '0.0.0.0' ? '127.0.0.1' : base.HOST}:${base.PORT}`).replace(/\/+$/, '');
  const config: Config = { ...base, PORT: 0, PUBLIC_URL: publicUrl, LOG_LEVEL: env.LOG_LEVEL ? base.LOG_LEVEL : 'warn', DERIVE_DELAY_MS: 200 };
  let shift = 0;
  const rt = await startRuntime(config, { gateway: true, worker: true, log: createLogger(config.LOG_LEVEL), now: () => Date.now() - shift, ...opts });
  try {
    if (await holdsData(rt.db)) {
      throw new Error(
        'The database already holds data: the demo fills an empty one. Use another data directory, e.g.\n  DATA_DIR=./demo npm run cli -- demo\n  DATA_DIR=./demo npm start',
      );
    }
    const api = client(rt.url!);
    const admin = (await issueOperatorKey(rt.db, { role: 'admin', label: 'demo admin' })).key;
    const cn = (await issueOperatorKey(rt.db, { role: 'cn', label: 'demo CN' })).key;
    const cpoMi = (await issueOperatorKey(rt.db, { role: 'cpo', subject: 'MI', label: 'demo CPO Milano' })).key;

    // Organisers of four kinds (R-EVT-2).
    const today = DateTime.now().setZone(ROME).startOf('day');
    const cpoOrg = await api('POST', '/v1/organisers', cn, { kind: 'a', name: 'Consiglio Provinciale di Milano', province: 'MI' });
    await api('POST', '/v1/organisers', cn, { kind: 'b', name: 'Fondazione Studi Consulenti del Lavoro' });
    await api('POST', '/v1/organisers', cn, { kind: 'd', name: 'Università degli Studi di Milano' });
    const kindE = await api('POST', '/v1/organisers', cn, {
      kind: 'e',
      name: 'Formazione Lavoro Srl',
      authorisationNumber: 'CN-2026-007',
      authorisedFrom: today.minus({ years: 1 }).toISODate(),
      authorisedUntil: today.plus({ years: 2 }).toISODate(),
      allowedModes: ['webinar', 'in-person'],
    });
    const orgKey = async (id: string) => (await issueOperatorKey(rt.db, { role: 'organiser', subject: id, label: 'demo organiser' })).key;
    const platformKey = async (id: string) => (await issueOperatorKey(rt.db, { role: 'platform', subject: id, label: 'demo platform' })).key;
    const cpoOrgKey = await orgKey(cpoOrg.id);
    const kindEKey = await orgKey(kindE.id);
    const kindEPlatform = await platformKey(kindE.id);
    const cpoPlatform = await platformKey(cpoOrg.id);

    // 30 members: 24 of Milano, 6 of Roma.
    const members: { id: string; name: string }[] = [];
    for (let i = 0; i < 30; i++) {
      const given = GIVEN[i % GIVEN.length]!;
      const surname = SURNAMES[i % SURNAMES.length]!;
      const m = await api('POST', '/v1/members', cn, {
        codiceFiscale: codiceFiscale(i + 1),
        surname,
        givenName: given,
        province: i < 24 ? 'MI' : 'RM',
        registerNumber: String(2000 + i),
        birthDate: `19${70 + (i % 25)}-0${1 + (i % 9)}-1${i % 9}`,
        registrationDate: `20${String(5 + (i % 15)).padStart(2, '0')}-03-01`,
        email: `${given.toLowerCase()}.${surname.toLowerCase()}@studio-demo.it`,
      });
      members.push({ id: m.id, name: `${given} ${surname}` });
    }
    const milano = members.slice(0, 24);

    // A past webinar of the Milano council (kind a: accredited by right), 3 hours, the first on ethics.
    const w1Start = today.minus({ days: 12 }).set({ hour: 14 }).toMillis();
    const w1 = await api('POST', '/v1/events', cpoOrgKey, webinar('Il nuovo codice deontologico e i contratti di lavoro', w1Start, 3, true, 'demo-cpo-1'));

    // A kind-e webinar two weeks ago with its 30 questions: created 40 days ago, accredited the day after.
    const w2Start = today.minus({ days: 15 }).set({ hour: 15 }).toMillis();
    shift = 40 * DAY;
    const w2 = await api('POST', '/v1/events', kindEKey, {
      ...webinar('Aggiornamento sulle politiche attive del lavoro', w2Start, 2, false, 'demo-fl-1'),
      questions: questionPool(),
    });
    shift = 39 * DAY;
    await api('POST', `/v1/events/${w2.id}/accreditation`, cpoMi, { decision: 'approve', reference: 'Delibera 12/2026' });
    shift = 0;

    // A future kind-e webinar: its accreditation request waits for the council (silence is consent after 10 days, R-EVT-3).
    const w3Start = today.plus({ days: 25 }).set({ hour: 10 }).toMillis();
    await api('POST', '/v1/events', kindEKey, { ...webinar('Welfare aziendale: casi pratici', w3Start, 2, false, 'demo-fl-2'), questions: questionPool() });

    // Registrations and the platforms' joins and leaves.
    for (const [ev, key, platform, start, hours] of [
      [w1, cpoOrgKey, cpoPlatform, w1Start, 3],
      [w2, kindEKey, kindEPlatform, w2Start, 2],
    ] as const) {
      const attendees = milano.slice(0, 20);
      await api('POST', `/v1/events/${ev.id}/registrations`, key, { registrations: attendees.map((m) => ({ memberId: m.id, registrantId: `reg-${m.id}` })) });
      const end = start + hours * 3600_000;
      const records = attendees.flatMap((m, i) => attendance(m.id, i, start, end));
      (records as unknown[]).push({
        id: 'guest-j',
        type: 'join',
        at: iso(start + 5 * MIN),
        participant: { name: 'Ospite senza iscrizione', email: 'ospite@example.com' },
      });
      (records as unknown[]).push({
        id: 'guest-l',
        type: 'leave',
        at: iso(end - 30 * MIN),
        participant: { name: 'Ospite senza iscrizione', email: 'ospite@example.com' },
      });
      await api('POST', `/v1/ingest/webinar/${ev.id}`, platform, { records });
      await api('POST', `/v1/events/${ev.id}/close`, key);
    }

    // An e-learning course of the Milano council, open from five days ago for a year.
    const courseStart = today.minus({ days: 5 }).set({ hour: 9 }).toMillis();
    const course = await api('POST', '/v1/events', cpoOrgKey, {
      title: 'Sicurezza sul lavoro: il corso on line',
      cpoProvince: 'MI',
      mode: 'e-learning',
      speakers: ['Relatrice Demo'],
      topics: [{ title: 'Sicurezza sul lavoro', start: iso(courseStart), end: iso(courseStart + 2 * 3600_000), deontology: false }],
      start: iso(courseStart),
      end: iso(courseStart + 2 * 3600_000),
      credits: 2,
    });
    await api('POST', `/v1/events/${course.id}/scorm-package`, cpoOrgKey, await samplePackage(), 'application/zip');
    await api('PUT', `/v1/events/${course.id}/elearning`, cpoOrgKey, {
      nominalMinutes: 40,
      masteryScore: 75,
      modules: [{ sco: 'MODULO-1', minutes: 40 }],
      finalTest: { bankQuestions: 32, questionsPerAttempt: 16, randomDraw: true, retryDifferentQuestions: true },
      accessWindowMonths: 12,
    });
    await api('POST', `/v1/events/${course.id}/enrolments`, cpoOrgKey, { memberIds: milano.slice(0, 5).map((m) => m.id) });
    const launch = await api('POST', `/v1/events/${course.id}/enrolments/${milano[0]!.id}/launch`, cpoOrgKey);

    // Wait until both webinars are derived (the workers of this process do it).
    for (const [ev, key] of [
      [w1, cpoOrgKey],
      [w2, kindEKey],
    ] as const) {
      await until(async () => {
        const r = await api('GET', `/v1/events/${ev.id}/outcomes`, key, undefined, undefined, true);
        return r?.outcomes?.length > 0 && r.lastDerivation !== null;
      });
    }
    await until(async () => (await api('GET', `/v1/events/${w2.id}/questionnaires`, kindEKey, undefined, undefined, true))?.items?.length > 0);
    const dashboard = await api('POST', `/v1/members/${milano[0]!.id}/dashboard-link`, cn, {});

    // People: the first administrator, the Milano council's officer, the kind-e provider's office.
    const lines: string[] = [];
    if (!(await hasStaffAccounts(rt.deps))) {
      const people = [
        {
          email: 'admin@demo.it',
          displayName: 'Amministratore Demo',
          role: 'admin' as const,
          subject: null,
          what: 'amministrazione (Utenti, Posta in uscita)',
        },
        { email: 'cpo.milano@demo.it', displayName: 'Giulia Ferri', role: 'cpo' as const, subject: 'MI', what: 'Consiglio provinciale di Milano' },
        {
          email: 'segreteria@formazionelavoro.it',
          displayName: 'Paolo Neri',
          role: 'organiser' as const,
          subject: kindE.id,
          what: 'segreteria di Formazione Lavoro Srl (ente di tipo e)',
        },
      ];
      lines.push('Staff accounts (open a link, choose a password; councils and admins then enrol a TOTP app):');
      for (const p of people) {
        const r = await inviteStaff(rt.deps, 'operator', { ...p, origin: publicUrl });
        lines.push(`  ${p.what}: ${p.email}`, `    ${r.link}`);
      }
    }
    lines.push(
      '',
      `A member's dashboard (${milano[0]!.name}, valid 30 days):`,
      `  ${dashboard.url}`,
      `The e-learning player for ${milano[0]!.name} (valid ${config.SCORM_LAUNCH_TTL_MINUTES / 60} hours):`,
      `  ${launch.playerUrl}`,
      '',
      'API keys for /docs (shown once):',
      `  admin ${admin}`,
      `  cn    ${cn}`,
      `  organiser (Formazione Lavoro Srl) ${kindEKey}`,
      '',
      'Questionnaire links and invitation mails wait in the outbox (no SMTP_URL): the admin sees them under Posta in uscita.',
    );
    return { lines };
  } finally {
    await rt.close();
  }
}

async function holdsData(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>('SELECT (SELECT count(*) FROM organisers) + (SELECT count(*) FROM members) AS n');
  return Number(rows[0]?.n ?? 0) > 0;
}

type Api = (method: string, path: string, key: string, body?: unknown, contentType?: string, tolerant?: boolean) => Promise<any>;

/** The product's own API over HTTP, as an integration would call it. */
function client(url: string): Api {
  return async (method, path, key, body, contentType, tolerant) => {
    const raw = body instanceof Uint8Array;
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': contentType ?? 'application/json' } : {}) },
      body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      if (tolerant) return null;
      throw new Error(`demo: ${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
    }
    return text ? JSON.parse(text) : null;
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const stop = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > stop) throw new Error('demo: the workers did not derive the sample in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function webinar(title: string, startMs: number, hours: number, ethicsFirst: boolean, meetingId: string) {
  const end = startMs + hours * 3600_000;
  const split = startMs + 3600_000;
  return {
    title,
    cpoProvince: 'MI',
    mode: 'webinar',
    speakers: ['Avv. Laura Bianchi', 'Dott. Marco Verdi'],
    topics: [
      { title: ethicsFirst ? 'Ordinamento professionale e deontologia' : 'Quadro normativo', start: iso(startMs), end: iso(split), deontology: ethicsFirst },
      { title: 'Casi pratici', start: iso(split), end: iso(end), deontology: false },
    ],
    start: iso(startMs),
    end: iso(end),
    credits: hours,
    toleranceMinutes: 15,
    platform: { name: 'generic', meetingId },
  };
}

/**
 * Each member's joins and leaves: most attend throughout; a few arrive late beyond the
 * tolerance, one drops out for 50 minutes, one joins and never leaves (incomplete, R-ATT-6).
 */
function attendance(memberId: string, i: number, start: number, end: number) {
  const p = { registrantId: `reg-${memberId}` };
  const rec = (id: string, type: 'join' | 'leave', at: number) => ({ id: `${memberId}-${id}`, type, at: iso(at), participant: p });
  if (i === 3) return [rec('j', 'join', start + 40 * MIN), rec('l', 'leave', end)];
  if (i === 7) return [rec('j1', 'join', start), rec('l1', 'leave', start + 60 * MIN), rec('j2', 'join', start + 110 * MIN), rec('l2', 'leave', end)];
  if (i === 11) return [rec('j', 'join', start + 2 * MIN)];
  if (i === 15) return [rec('j', 'join', start), rec('l', 'leave', end - 70 * MIN)];
  return [rec('j', 'join', start - 5 * MIN + (i % 4) * MIN), rec('l', 'leave', end + (i % 3) * MIN)];
}

function questionPool() {
  return Array.from({ length: 30 }, (_, i) => ({
    text: `Domanda ${i + 1}: quale norma disciplina il caso pratico numero ${i + 1}?`,
    options: ['Il codice civile', 'Lo statuto dei lavoratori', 'Il contratto collettivo applicato', 'Nessuna delle precedenti'].slice(0, 3 + (i % 2)),
    correct: i % 3,
  }));
}

/** A SCORM 1.2 course of one module that reports completion and a passing score. */
function samplePackage(): Promise<Uint8Array> {
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="DEMO-SICUREZZA" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG"><title>Sicurezza sul lavoro</title>
      <item identifier="MODULO-1" identifierref="RES-1"><title>Modulo unico e verifica finale</title><adlcp:masteryscore>75</adlcp:masteryscore></item>
    </organization>
  </organizations>
  <resources><resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
</manifest>`;
  const page = `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Sicurezza sul lavoro</title></head>
<body><h1>Sicurezza sul lavoro</h1><p>Modulo dimostrativo: premere il pulsante per completare il modulo e la verifica.</p>
<button id="fine">Completa il modulo</button>
<script>
var api = (function find(w){ for (var i = 0; i < 10 && w; i++) { if (w.API) return w.API; if (w === w.parent) break; w = w.parent; } return null; })(window);
if (api) api.LMSInitialize('');
document.getElementById('fine').onclick = function () {
  if (!api) return;
  api.LMSSetValue('cmi.core.score.raw', '90');
  api.LMSSetValue('cmi.core.lesson_status', 'passed');
  api.LMSCommit('');
  api.LMSFinish('');
  this.textContent = 'Completato';
};
</script></body></html>`;
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(manifest), 'imsmanifest.xml');
    zip.addBuffer(Buffer.from(page), 'index.html');
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    zip.outputStream.on('error', reject);
  });
}

const GIVEN = [
  'Giulia',
  'Marco',
  'Francesca',
  'Luca',
  'Chiara',
  'Andrea',
  'Sara',
  'Matteo',
  'Elena',
  'Davide',
  'Valentina',
  'Simone',
  'Martina',
  'Alessandro',
  'Federica',
];
const SURNAMES = [
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Bianchi',
  'Romano',
  'Colombo',
  'Ricci',
  'Marino',
  'Greco',
  'Bruno',
  'Gallo',
  'Conti',
  'Costa',
  'Giordano',
  'Mancini',
  'Rizzo',
];

/** A valid codice fiscale for sample member n (the check letter computed, R-REG rules apply). */
function codiceFiscale(n: number): string {
  const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const l = (k: number) => L[k % 26]!;
  const first15 = `${l(n)}${l(n + 3)}${l(n + 7)}${l(n + 11)}${l(n * 5)}${l(n * 7)}${String(70 + (n % 25))}${'ABCDEHLMPRST'[n % 12]}${String(1 + (n % 28)).padStart(2, '0')}F${String(205 + n).padStart(3, '0')}`;
  return first15 + checkLetter(first15);
}

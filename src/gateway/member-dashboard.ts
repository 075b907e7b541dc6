/**
 * @module The member's dashboard behind a signed link (purpose `dashboard`, subject the member
 * id; issued by `POST /v1/members/{id}/dashboard-link`, valid 30 days):
 *
 *   GET  /m/{token}                                   the biennium (?biennio=2023 for a past one)
 *   POST /m/{token}/debt                              file a debt recovery request (R-DEBT-1, R-DEBT-2)
 *   POST /m/{token}/art9                              declare an art. 9 activity with its attestation (R-ART9-3)
 *   POST /m/{token}/reduction/preview                 the reduction calculator on the member's facts, nothing filed (R-RED-2, R-RED-3, R-RED-4, R-RED-5)
 *   POST /m/{token}/reduction                         file a reduction request with documents (R-RED-7, R-RED-8)
 *   POST /m/{token}/reductions/{id}/integration       add documents after a pre-denial (R-RED-7)
 *   POST /m/{token}/reductions/{id}/appeal            appeal a decision to the CN (R-RED-7)
 *
 * HTML forms without script. A request that goes through answers 303 back to the dashboard with
 * `?esito=<code>` (Post/Redirect/Get: a reload never files twice); a refused one shows the page
 * again (422, 404 for a request that is not the member's) with the Italian reason and what was
 * typed. The token in the URL is the credential: forms post to the same token URL, and a post a
 * browser marks cross-site is refused. Every post's link is verified before a byte of its body is
 * read (an unknown or expired link costs nothing), and a post with files must say its length
 * (browsers always do) so the size limit refuses it before reading. Files: PDF, PNG or JPEG by
 * their first bytes, at most 5 MB each and 5 per request, stored under a cleaned name with the
 * extension of the detected type. Every failure is an Italian page, never problem+json.
 */
import { art9Closes } from '../domain/art9.ts';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { bienniumOf, romeDate } from '../domain/calendar.ts';
import { debtFilingDeadline, debtMaximum, debtSettlementDeadline, debtSettlementStart } from '../domain/debt.ts';
import { memberBalance } from '../domain/member-balance.ts';
import { CAUSE_INPUT_KIND, type ReductionCause } from '../domain/reduction.ts';
import { IN_ORDER } from '../domain/verification.ts';
import { FILE_RULES, isReductionCause, type FormError, type FormValues, type ReductionPreview } from '../pages/dashboard-forms.tsx';
import { dashboardPage, dashboardUnavailablePage, linkClosedPage, messagePage, type DashboardProps, type PreviousNotice } from '../pages/dashboard.tsx';
import { outcomeText, refusalText } from '../pages/labels.ts';
import { UUID_PATTERN } from '../schemas/common.ts';
import {
  AppealFormBody,
  Art9FormBody,
  BienniumYear,
  DebtFormBody,
  firstRefusal,
  IntegrationFormBody,
  ReductionFields,
  ReductionId,
} from '../schemas/member-dashboard.ts';
import { appealReduction, fileArt9, fileDebt, fileReduction, integrateReduction, previewReduction, type Filed } from '../services/council/filing.ts';
import { memberComplianceStatus } from '../services/council/compliance-certificate.ts';
import { dashboardFacts, dashboardLists, dashboardUncredited, reductionSummary } from '../services/member-dashboard.ts';
import type { LoadedFacts } from '../store/balance.ts';
import type { UploadedFile } from '../store/member-requests.ts';
import type { Deps } from './deps.ts';
import { router } from './router.ts';
import { isUnavailable } from './unavailable.ts';

/** Forms without files: a few numbers and at most 4,000 characters of text. */
const FORM_MAX_BYTES = 64 * 1024;
const MB = 1024 * 1024;
/** Forms with files: 5 files of 5 MB and the fields around them. */
const UPLOAD_MAX_BYTES = FILE_RULES.maxFiles * FILE_RULES.maxMb * MB + MB;
/** The first bytes of the accepted file types; the declared type is never trusted. */
const FILE_SIGNATURES: ReadonlyArray<{ contentType: string; ext: string; magic: readonly number[] }> = [
  { contentType: 'application/pdf', ext: 'pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { contentType: 'image/png', ext: 'png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'image/jpeg', ext: 'jpg', magic: [0xff, 0xd8, 0xff] },
];
/** The first biennium the dashboard shows (the balance API's lower bound). */
const EARLIEST_BIENNIUM = 2023;
/** How far back the biennium switch goes. */
const PAST_BIENNIUMS_SHOWN = 3;
/** A questionnaire whose clock has not started gets a link as long-lived as the mailed one (workers/questionnaire.ts). */
const QUESTIONNAIRE_LINK_MS = 120 * 24 * 3600_000;

type Opened = { kind: 'invalid' } | { kind: 'expired'; expiresAt: Date } | { kind: 'ok'; facts: LoadedFacts };

type Body = Record<string, string | File | (string | File)[]>;

/** What a render adds to the plain dashboard: the biennium, the form that came back, a preview. */
interface RenderOptions {
  biennium?: number | null;
  cause?: string | null;
  outcome?: string | null;
  topError?: string | null;
  error?: FormError | null;
  values?: FormValues;
  preview?: ReductionPreview | null;
}

/**
 * The member dashboard routes.
 *
 * @example app.route('/', memberDashboardRoutes(deps)) // GET /m/{token}
 */
export function memberDashboardRoutes(deps: Deps) {
  const app = router();
  const refuseEarly = (c: Context, title: string, code: string, status: 411 | 413) => {
    // The body is left unread: no keep-alive, so the server need not drain it.
    c.header('Connection', 'close');
    return c.html(messagePage({ title, text: refusalText(code), back: baseOf(c.req.param('token') ?? '') }), status);
  };
  const formLimit = bodyLimit({ maxSize: FORM_MAX_BYTES, onError: (c) => refuseEarly(c, 'Modulo troppo lungo', 'form-too-large', 413) });
  const uploadLimit = bodyLimit({ maxSize: UPLOAD_MAX_BYTES, onError: (c) => refuseEarly(c, 'File troppo grandi', 'body-too-large', 413) });
  /** A form with files must say its length, so that `uploadLimit` refuses a large one unread. */
  const lengthRequired: MiddlewareHandler = async (c, next) => {
    if (!/^\d+$/.test(c.req.header('content-length') ?? '')) return refuseEarly(c, 'Lunghezza della richiesta mancante', 'length-required', 411);
    await next();
  };

  // Members get an Italian page, not problem+json, when something fails on our side.
  app.onError((err, c) => {
    const unavailable = isUnavailable(err);
    if (unavailable) c.header('Retry-After', '5');
    deps.log[unavailable ? 'warn' : 'error']({ err: unavailable ? String(err) : err }, 'dashboard page failed');
    c.header('Cache-Control', 'no-store');
    return c.html(dashboardUnavailablePage(), unavailable ? 503 : 500);
  });

  // Personal pages: never cached, never indexed; a form another site made the browser send is refused.
  app.use('/m/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex');
    if (c.req.method === 'POST' && c.req.header('sec-fetch-site') === 'cross-site') {
      return c.html(messagePage({ title: 'Richiesta non accettata', text: refusalText('cross-site'), back: null }), 403);
    }
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex');
  });

  // Every post: the link first, before any size limit reads the body (a garbage token costs nothing).
  app.use('/m/:token/*', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const check = await verify(c.req.param('token'));
    if (check.kind !== 'ok') {
      c.header('Connection', 'close');
      return closed(c, check);
    }
    await next();
  });

  app.get('/m/:token', async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o);
    const q = c.req.query();
    return render(c, token, o.facts, { biennium: parseBiennium(q.biennio, o.facts), cause: q.causa ?? null, outcome: outcomeText(q.esito) }, 200);
  });

  app.post('/m/:token/debt', formLimit, async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o);
    const body = await formBody(c);
    const values = textValues(body, ['biennio', 'total', 'deontology']);
    const biennium = parseBiennium(values.biennio, o.facts);
    const refuse = (code: string) => render(c, token, o.facts, { biennium, error: { form: 'debt', code }, values }, 422);
    if (biennium === null) return refuse('invalid-biennium');
    const form = DebtFormBody.safeParse(values);
    if (!form.success) return refuse('invalid-form');
    const { total, deontology } = form.data;
    const r = await fileDebt(deps.db, o.facts, { biennium, total, deontology, today: today(), at: at() });
    if (!r.ok) return refuse(r.code);
    return done(c, token, biennium, 'debt-filed');
  });

  app.post('/m/:token/art9', lengthRequired, uploadLimit, async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o);
    const body = await formBody(c);
    const values = textValues(body, ['activity', 'quantity', 'date', 'description']);
    const refuse = (code: string) => render(c, token, o.facts, { error: { form: 'art9', code }, values }, 422);
    const form = Art9FormBody.safeParse(values);
    if (!form.success) return refuse(firstRefusal(form.error, ART9_REFUSALS));
    const { activity, quantity, date, description } = form.data;
    const files = await uploads(body, 'attestation');
    if (!files.ok) return refuse(files.code);
    if (files.files.length !== 1) return refuse(files.files.length ? 'too-many-files' : 'file-missing');
    const r = await fileArt9(deps.db, o.facts, {
      activity,
      quantity,
      activityDate: date,
      description,
      file: files.files[0]!,
      today: today(),
      at: at(),
    });
    if (!r.ok) return refuse(r.code);
    return done(c, token, bienniumOf(Number(date.slice(0, 4))), 'art9-filed');
  });

  app.post('/m/:token/reduction/preview', lengthRequired, uploadLimit, async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o);
    const form = await reductionForm(c, o.facts);
    if (!form.ok)
      return render(c, token, o.facts, { biennium: form.biennium, cause: form.cause, error: { form: 'reduction', code: form.code }, values: form.values }, 422);
    const preview = previewReduction(o.facts, form.biennium, form.cause, form.input);
    return render(c, token, o.facts, { biennium: form.biennium, cause: form.cause, values: form.values, preview }, 200);
  });

  app.post('/m/:token/reduction', lengthRequired, uploadLimit, async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o);
    const form = await reductionForm(c, o.facts);
    const refuse = (code: string) =>
      render(c, token, o.facts, { biennium: form.biennium, cause: form.cause, error: { form: 'reduction', code }, values: form.values }, 422);
    if (!form.ok) return refuse(form.code);
    const files = await uploads(form.body, 'documents');
    if (!files.ok) return refuse(files.code);
    if (files.files.length === 0) return refuse('file-missing');
    const r = await fileReduction(deps.db, o.facts, {
      biennium: form.biennium,
      cause: form.cause,
      input: form.input,
      files: files.files,
      today: today(),
      at: at(),
    });
    if (!r.ok) return refuse(r.code);
    // A late request the member can no longer make good is refused at once (R-RED-8), appeal open.
    const stored = await reductionSummary(deps, r.id);
    return done(c, token, form.biennium, stored?.status === 'denied' ? 'reduction-late' : 'reduction-filed');
  });

  app.post('/m/:token/reductions/:id/integration', lengthRequired, uploadLimit, async (c) => {
    const token = c.req.param('token');
    const id = c.req.param('id');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o);
    const body = await formBody(c);
    const values = textValues(body, ['note']);
    const refuse = (code: string) => refused(c, token, o.facts, { form: 'integration', requestId: id, code }, values);
    if (!ReductionId.safeParse(id).success) return refuse('reduction-not-found');
    const form = IntegrationFormBody.safeParse(values);
    if (!form.success) return refuse('invalid-form');
    const files = await uploads(body, 'documents');
    if (!files.ok) return refuse(files.code);
    if (files.files.length === 0) return refuse('file-missing');
    const r = await integrateReduction(deps.db, o.facts, { id, files: files.files, note: form.data.note ?? '', today: today(), at: at() });
    if (!r.ok) return refuse(r.code);
    return done(c, token, await bienniumOfRequest(id), 'integration-filed');
  });

  app.post('/m/:token/reductions/:id/appeal', formLimit, async (c) => {
    const token = c.req.param('token');
    const id = c.req.param('id');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o);
    const body = await formBody(c);
    const values = textValues(body, ['text']);
    const refuse = (code: string) => refused(c, token, o.facts, { form: 'appeal', requestId: id, code }, values);
    if (!ReductionId.safeParse(id).success) return refuse('reduction-not-found');
    const form = AppealFormBody.safeParse(values);
    if (!form.success) return refuse('invalid-appeal');
    const r: Filed = await appealReduction(deps.db, o.facts, { id, text: form.data.text, today: today(), at: at() });
    if (!r.ok) return refuse(r.code);
    return done(c, token, await bienniumOfRequest(id), 'appeal-filed');
  });

  // A form's address opened directly (a bookmark of a refused form): back to the dashboard.
  app.get('/m/:token/*', (c) => c.redirect(baseOf(c.req.param('token')), 303));
  // Anything else under /m/ is an Italian page too.
  app.all('/m/*', (c) => c.html(messagePage({ title: 'Pagina non trovata', text: 'L’indirizzo non corrisponde a nessuna pagina.', back: null }), 404));

  return app;

  // ---------------------------------------------------------------------------------------------

  function today(): string {
    return romeDate(deps.now());
  }

  function at(): Date {
    return new Date(deps.now());
  }

  /** The link alone (signature, purpose, expiry): cheap, nothing read from the database. */
  async function verify(token: string): Promise<Exclude<Opened, { kind: 'ok' }> | { kind: 'ok'; memberId: string }> {
    const check = await deps.links.verify('dashboard', token, deps.now());
    if (!check.ok && check.reason === 'invalid') return { kind: 'invalid' };
    if (!UUID_PATTERN.test(check.subject)) return { kind: 'invalid' };
    if (!check.ok) return { kind: 'expired', expiresAt: check.expiresAt };
    return { kind: 'ok', memberId: check.subject };
  }

  async function open(token: string): Promise<Opened> {
    const check = await verify(token);
    if (check.kind !== 'ok') return check;
    const facts = await dashboardFacts(deps, check.memberId);
    return facts ? { kind: 'ok', facts } : { kind: 'invalid' };
  }

  function closed(c: Context, o: Exclude<Opened, { kind: 'ok' }>) {
    return o.kind === 'expired' ? c.html(linkClosedPage({ kind: 'expired', expiredAt: o.expiresAt }), 410) : c.html(linkClosedPage({ kind: 'invalid' }), 404);
  }

  /** Post/Redirect/Get: back to the biennium concerned with the outcome code. */
  function done(c: Context, token: string, biennium: number | null, outcome: string) {
    const params = new URLSearchParams();
    if (biennium !== null && biennium !== currentBiennium()) params.set('biennio', String(biennium));
    params.set('esito', outcome);
    return c.redirect(`${baseOf(token)}?${params.toString()}#esito`, 303);
  }

  /** A refused integration or appeal: in its card when the request is the member's, at the top (404) when it is not. */
  function refused(c: Context, token: string, facts: LoadedFacts, error: FormError, values: FormValues) {
    if (error.code === 'reduction-not-found') return render(c, token, facts, { topError: refusalText(error.code) }, 404);
    return render(c, token, facts, { error, values }, 422);
  }

  async function bienniumOfRequest(id: string): Promise<number | null> {
    return (await reductionSummary(deps, id))?.biennium ?? null;
  }

  function currentBiennium(): number {
    return bienniumOf(Number(today().slice(0, 4)));
  }

  /** Bienniums the member may look at, newest first: from registration (not before 2023) to the current one. */
  function bienniumsOf(facts: LoadedFacts): number[] {
    const current = currentBiennium();
    const first = Math.max(EARLIEST_BIENNIUM, bienniumOf(Number(facts.registrationDate.slice(0, 4))), current - 2 * PAST_BIENNIUMS_SHOWN);
    const out: number[] = [];
    for (let b = current; b >= first; b -= 2) out.push(b);
    return out.length ? out : [current];
  }

  function parseBiennium(v: string | undefined | null, facts: LoadedFacts): number | null {
    const year = BienniumYear.safeParse(v);
    return year.success && bienniumsOf(facts).includes(year.data) ? year.data : null;
  }

  async function reductionForm(c: Context, facts: LoadedFacts) {
    const body = await formBody(c);
    const values = textValues(body, ['biennio', 'causa', 'from', 'to', 'degreePct', 'subjectToReview', 'certificateExpiry', 'birthDate', 'arrivalDate']);
    const biennium = parseBiennium(values.biennio, facts);
    const cause = values.causa && isReductionCause(values.causa) ? values.causa : null;
    const fail = (code: string) => ({ ok: false as const, code, biennium, cause, values, body });
    if (biennium === null) return fail('invalid-biennium');
    if (cause === null) return fail('unknown-cause');
    return { ok: true as const, biennium, cause, input: reductionInput(cause, values), values, body };
  }

  async function render(c: Context, token: string, facts: LoadedFacts, opts: RenderOptions, status: 200 | 404 | 422) {
    const props = await dashboardProps(token, facts, opts);
    return c.html(dashboardPage(props), status);
  }

  async function dashboardProps(token: string, facts: LoadedFacts, opts: RenderOptions): Promise<DashboardProps> {
    const now = deps.now();
    const day = today();
    const current = currentBiennium();
    const bienniums = bienniumsOf(facts);
    const biennium = opts.biennium && bienniums.includes(opts.biennium) ? opts.biennium : current;
    const base = baseOf(token);
    const derived = memberBalance(facts, biennium, day);
    const b = derived.balance;

    // R-DEBT-1, R-DEBT-2: the request is filed from 1 January to 28 February after the biennium, for what is
    // missing; a deontology gap is missing even when the total is reached (and counts within the total).
    const maximum = debtMaximum(biennium, facts.policy);
    const shortfall = b.missing;
    const filingFrom = debtSettlementStart(biennium);
    const filingUntil = debtFilingDeadline(biennium);
    const inWindow = day >= filingFrom && day <= filingUntil;
    const suggestedTotal = Math.min(maximum, Math.max(shortfall.total, shortfall.deontology));
    const debt = {
      filingFrom,
      filingUntil,
      settlementUntil: debtSettlementDeadline(biennium),
      maximum,
      shortfall,
      canFile: inWindow && shortfall.total > 0 && !derived.debtRequest && !b.debt,
      suggested: { total: suggestedTotal, deontology: Math.min(shortfall.deontology, suggestedTotal) },
    };

    const [{ questionnaires, reductions, art9, debts }, uncredited, verified] = await Promise.all([
      dashboardLists(deps, facts.memberId),
      dashboardUncredited(deps, facts.memberId, biennium),
      memberComplianceStatus(deps, facts.memberId, biennium),
    ]);
    const pending = [];
    for (const q of questionnaires) {
      if (q.deadline && q.deadline.getTime() < now) continue; // expired: the questionnaire page says so, nothing left to do
      const link = await deps.links.sign('questionnaire', q.id, q.deadline ?? new Date(now + QUESTIONNAIRE_LINK_MS));
      pending.push({ title: q.eventTitle, eventStart: q.eventStart, deadline: q.deadline, href: `/q/${encodeURIComponent(link)}` });
    }

    // R-ART9-3: declarations of a biennium close on 31 January after it.
    const previousOpen = day <= art9Closes(current - 2) && bienniums.includes(current - 2);
    return {
      base,
      memberName: `${facts.identity.givenName} ${facts.identity.surname}`,
      registrationDate: facts.registrationDate,
      biennium,
      currentBiennium: current,
      bienniums,
      today: day,
      outcome: opts.outcome ?? null,
      topError: opts.topError ?? null,
      derived,
      reductionCeiling: facts.policy.reductionCeiling,
      previous: biennium === current ? previousNotice(facts, current, day, base) : null,
      debt,
      questionnaires: pending,
      uncredited,
      // R-DOC-8: the CPO's certificate once its verification finds the member in order.
      certificate: verified && IN_ORDER.includes(verified) ? { href: `${base}/certificato/${biennium}` } : null,
      // Newest first, as the store lists them (the limit keeps the newest).
      requests: { reductions, art9, debts },
      forms: {
        art9: { minDate: `${previousOpen ? current - 2 : current}-01-01`, maxDate: day },
        // Late filings stay possible while a debt could still make them good (R-RED-8, until 30 June after the biennium).
        reductionOpen: day <= debtSettlementDeadline(biennium),
        cause: opts.cause ?? null,
        values: opts.values,
        error: opts.error ?? null,
        preview: opts.preview ?? null,
      },
    };
  }

  /** What the current biennium's page says about the previous one while its debt matters (R-DEBT-1, R-DEBT-2, R-DEBT-3, R-DEBT-4). */
  function previousNotice(facts: LoadedFacts, current: number, day: string, base: string): PreviousNotice | null {
    const prev = current - 2;
    if (prev < EARLIEST_BIENNIUM || day > debtSettlementDeadline(prev)) return null;
    const d = memberBalance(facts, prev, day);
    const pb = d.balance;
    const href = `${base}?biennio=${prev}`;
    const common = { biennium: prev, href, missing: pb.missing, filingUntil: debtFilingDeadline(prev), settlementUntil: debtSettlementDeadline(prev) };
    if (pb.debt && pb.debt.status === 'open') return { ...common, kind: 'debt-open', remaining: pb.debt.remaining };
    if (d.debtRequest) return { ...common, kind: 'request-filed' };
    if (!pb.debt && pb.missing.total > 0 && day <= debtFilingDeadline(prev)) return { ...common, kind: 'can-file' };
    return null;
  }
}

function baseOf(token: string): string {
  return `/m/${encodeURIComponent(token)}`;
}

/** The posted form; a malformed body reads as an empty form (the checks then refuse it). */
async function formBody(c: Context): Promise<Body> {
  try {
    return (await c.req.parseBody({ all: true })) as Body;
  } catch {
    return {};
  }
}

/** The text fields of a form, trimmed, first value of each; files read as absent. */
function textValues(body: Body, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = body[n];
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[n] = first.trim();
  }
  return out;
}

/** The art. 9 form's refusals, by the first field that fails (in this order). */
const ART9_REFUSALS = [
  ['activity', 'invalid-form'],
  ['date', 'invalid-form'],
  ['quantity', 'invalid-quantity'],
  ['description', 'invalid-description'],
] as const;

/** The input of a cause from the form (R-RED-2); the calculator checks it and refuses a bad one. */
function reductionInput(cause: ReductionCause, values: Record<string, string>): Record<string, unknown> {
  const v = ReductionFields.parse(values);
  switch (CAUSE_INPUT_KIND[cause]) {
    case 'period':
      return { from: v.from, to: v.to };
    case 'degree':
      return { from: v.from, to: v.to, degreePct: v.degreePct, subjectToReview: v.subjectToReview, certificateExpiry: v.certificateExpiry };
    case 'birth':
    case 'age':
      return { birthDate: v.birthDate };
    case 'arrival':
      return { arrivalDate: v.arrivalDate };
  }
}

/**
 * The files of `field`: an empty file input (no file chosen) is no file; each must be a PDF, PNG
 * or JPEG by its first bytes and at most 5 MB, at most 5 in the whole request.
 */
async function uploads(body: Body, field: string): Promise<{ ok: true; files: UploadedFile[] } | { ok: false; code: string }> {
  const all = Object.values(body)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((v): v is File => typeof v !== 'string' && (v.size > 0 || v.name !== ''));
  if (all.length > FILE_RULES.maxFiles) return { ok: false, code: 'too-many-files' };
  const raw = body[field];
  const chosen = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is File => typeof v !== 'string' && (v.size > 0 || v.name !== ''));
  const out: UploadedFile[] = [];
  for (const f of chosen) {
    if (f.size > FILE_RULES.maxMb * MB) return { ok: false, code: 'file-too-large' };
    const bytes = Buffer.from(await f.arrayBuffer());
    const kind = FILE_SIGNATURES.find((s) => s.magic.length <= bytes.length && s.magic.every((b, i) => bytes[i] === b));
    if (!kind) return { ok: false, code: 'file-type' };
    out.push({ name: fileName(f.name, kind.ext), contentType: kind.contentType, body: bytes });
  }
  return { ok: true, files: out };
}

/** Longest stored base name, in characters (the extension comes on top). */
const NAME_MAX_CHARS = 100;

/**
 * The stored name of a file: the member's name without folders, its own extension, invisible
 * characters (format controls such as U+202E, control characters) or anything but letters, digits,
 * spaces and `._-`, at most 100 characters, followed by the extension of the type its bytes showed.
 *
 * @example fileName('C:\\tmp\\x\u202Efdp.bat', 'pdf') // 'xfdp.pdf'
 */
function fileName(name: string, ext: string): string {
  const last = name
    .normalize('NFC')
    .replace(/[\p{Cf}\p{Cc}]/gu, '')
    .split(/[\\/]/)
    .pop()!;
  const dot = last.lastIndexOf('.');
  const base = (dot > 0 ? last.slice(0, dot) : last).replace(/[^\p{L}\p{N} ._-]+/gu, '_').replace(/^[\s.]+|[\s.]+$/g, '');
  const cut = Array.from(base)
    .slice(0, NAME_MAX_CHARS)
    .join('')
    .replace(/[\s.]+$/, '');
  return `${cut || 'documento'}.${ext}`;
}

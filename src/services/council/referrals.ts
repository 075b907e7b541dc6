/**
 * @module Referrals to the discipline council (issue 15, art. 28 c.2, R-VER-8, R-VER-9):
 * preparing a province's list from its verification snapshots (idempotent: the same basis changes
 * nothing), reading it in pages, moving a referral (prepared → sent → answered) with who did it,
 * and the letters as verifiable documents (one PDF, or a zip of a list's). The rules are
 * `domain/referrals.ts` and `domain/referral-letter.ts`; the CPO acts for its own province, the
 * CN and admin read every list.
 */
import crypto from 'node:crypto';
import { referralLetterPdf } from '../../../adapters/pdf/referral-letter-pdf.ts';
import { writeZip } from '../../../adapters/zip/write-zip.ts';
import { romeDate } from '../../domain/calendar.ts';
import { verificationUrl } from '../../domain/documents.ts';
import { isProvinceCode } from '../../domain/provinces.ts';
import { referralLetter, referralLetterInfo } from '../../domain/referral-letter.ts';
import {
  planReferrals,
  referralsOpenAt,
  referralIssuer,
  referralNumber,
  referralSubject,
  referralTransition,
  type FinalRow,
  type ReferralNote,
  type ReferralState,
} from '../../domain/referrals.ts';
import type { VerificationPhase, VerificationStatus } from '../../domain/verification.ts';
import type { ReferralTransition } from '../../schemas/referrals.ts';
import { currentDocument, revokeDocumentRow } from '../../store/documents.ts';
import {
  appendReferralHistory,
  insertPreparation,
  insertReferral,
  latestPreparation,
  lockReferralList,
  markReferralAnswered,
  markReferralSent,
  membersForLetters,
  membersWithDebtRequests,
  nextReferralSeq,
  openReferrals,
  referralById,
  referralCounts,
  referralHistory,
  referralsPage,
  refreshReferral,
  setReferralNote,
  withdrawReferral,
  type HistoryEntry,
  type Preparation,
  type PreparationSummary,
  type ReferralRecord,
} from '../../store/referrals.ts';
import { snapshotHead, snapshotRows, type SnapshotHead } from '../../store/verification.ts';
import { actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { issueDocument, type IssuedDocument } from '../documents.ts';
import { ServiceError } from '../errors.ts';

const KIND = 'discipline-referral' as const;

/** A referral as the API and the console read it. */
export interface ReferralView {
  id: string;
  number: string;
  seq: number;
  province: string;
  biennium: number;
  member: { id: string; surname: string; givenName: string; codiceFiscale: string };
  state: ReferralState;
  /** The verification row the letter states: its phase, version and status. */
  phase: VerificationPhase;
  version: number;
  status: VerificationStatus;
  obligation: { total: number; deontology: number };
  credits: { total: number; deontology: number };
  missing: { total: number; deontology: number };
  letterOn: string;
  preparedAt: string;
  preparedBy: string;
  sent: { on: string; by: string; protocolNumber: string | null; pecReference: string | null } | null;
  answered: { on: string; by: string; summary: string } | null;
  withdrawnAt: string | null;
  /** Withdrawn: why; sent or answered: a later verification no longer refers the member (R-VER-9). */
  note: ReferralNote | null;
}

export interface PrepareResult {
  changed: boolean;
  /** The versions the list rests on now, and before this run (null for the first). */
  basis: { februaryVersion: number; juneVersion: number | null };
  previous: { februaryVersion: number; juneVersion: number | null } | null;
  summary: PreparationSummary;
}

/** A snapshot the list may rest on, as the console offers it. */
export interface AvailableSnapshot {
  version: number;
  asOf: string;
  createdAt: string;
}

export interface ReferralList {
  province: string;
  biennium: number;
  /** The latest preparation (the list's basis), or null before the first. */
  list: Preparation | null;
  /** A list may be prepared after this instant: 28 February after the biennium, 23:59:59.999 Rome (R-VER-8). */
  opensAfter: string;
  available: { february: AvailableSnapshot | null; june: AvailableSnapshot | null };
  counts: Record<ReferralState, number>;
  referrals: ReferralView[];
  /** The `after` of the next page, or null. */
  next: number | null;
}

/** A CPO acts for its own province; reading, CN and admin too (the route admits only these roles). */
function provinceFor(actor: Actor, province: string, act: boolean): string {
  if (!isProvinceCode(province)) throw new ServiceError('unknown-province');
  if (act && actor.role !== 'cpo') throw new ServiceError('forbidden', 'The CPO refers the members of its own province (art. 28 c.2)');
  if (actor.role === 'cpo' && actor.subject !== province) throw new ServiceError('forbidden', 'A CPO refers the members of its own province');
  if (!['cpo', 'cn', 'admin'].includes(actor.role)) throw new ServiceError('forbidden');
  return province;
}

/** A referral the actor may see: another province's is `referral-not-found`, as an unknown one. */
function visible(actor: Actor, r: ReferralRecord | null, act: boolean): ReferralRecord {
  if (act && actor.role !== 'cpo') throw new ServiceError('forbidden', 'The CPO moves its own referrals');
  if (!['cpo', 'cn', 'admin'].includes(actor.role)) throw new ServiceError('forbidden');
  if (!r || (actor.role === 'cpo' && actor.subject !== r.province)) throw new ServiceError('referral-not-found');
  return r;
}

function view(r: ReferralRecord): ReferralView {
  return {
    id: r.id,
    number: r.number,
    seq: r.seq,
    province: r.province,
    biennium: r.biennium,
    member: { id: r.memberId, ...r.member },
    state: r.state,
    phase: r.phase,
    version: r.version,
    status: r.status,
    obligation: r.row.obligation,
    credits: r.row.credits,
    missing: r.row.missing,
    letterOn: r.letterOn,
    preparedAt: r.preparedAt,
    preparedBy: r.preparedBy,
    sent: r.sentOn ? { on: r.sentOn, by: r.sentBy!, protocolNumber: r.protocolNumber, pecReference: r.pecReference } : null,
    answered: r.answeredOn ? { on: r.answeredOn, by: r.answeredBy!, summary: r.replySummary! } : null,
    withdrawnAt: r.withdrawnAt,
    note: r.note,
  };
}

async function head(ctx: Pick<ServiceContext, 'db'>, province: string, biennium: number, phase: VerificationPhase, version?: number | null) {
  return snapshotHead(ctx.db, { province, biennium, phase, version: version ?? null });
}

/**
 * Prepares (or brings up to date) the referral list of a province's biennium (R-VER-8, R-VER-9)
 * on the latest February snapshot (or `februaryVersion`) and the latest June one (or
 * `juneVersion`) when there is one, once 28 February has passed (`referrals-too-early`); a version
 * older than the list's basis is `referral-basis-outdated`.
 * Running it again on the same basis creates nothing (`changed: false`). New referrals are
 * numbered by surname; a withdrawn letter's document is revoked, a restated one superseded.
 */
export async function prepareReferrals(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  input: { province: string; biennium: number; februaryVersion?: number | undefined; juneVersion?: number | undefined },
): Promise<PrepareResult> {
  const province = provinceFor(actor, input.province, true);
  const { biennium } = input;
  const opens = referralsOpenAt(biennium);
  if (ctx.now() <= opens.getTime())
    throw new ServiceError(
      'referrals-too-early',
      `The list of ${biennium}–${biennium + 1} is prepared after ${opens.toISOString()}, once debt requests are closed (R-DEBT-2)`,
    );
  const feb = await head(ctx, province, biennium, 'february', input.februaryVersion);
  if (!feb) throw new ServiceError('verification-not-found', 'No February verification of this biennium (or of this version)');
  const june = await head(ctx, province, biennium, 'june', input.juneVersion);
  if (input.juneVersion !== undefined && !june) throw new ServiceError('verification-not-found', 'No June verification of this version');
  const basis = { februaryVersion: feb.version, juneVersion: june?.version ?? null };
  const [febRows, juneRows] = await Promise.all([snapshotRows(ctx.db, feb.id), june ? snapshotRows(ctx.db, june.id) : Promise.resolve([])]);
  const heads = new Map<VerificationPhase, SnapshotHead>([['february', feb], ...(june ? [['june', june] as const] : [])]);
  const by = actorRef(actor);
  const at = new Date(ctx.now()).toISOString();
  const today = romeDate(ctx.now());

  const outcome = await ctx.db.transaction(async (tx) => {
    await lockReferralList(tx, province, biennium);
    const latest = await latestPreparation(tx, province, biennium);
    const previous = latest ? { februaryVersion: latest.februaryVersion, juneVersion: latest.juneVersion } : null;
    if (previous && (basis.februaryVersion < previous.februaryVersion || (basis.juneVersion ?? 0) < (previous.juneVersion ?? 0)))
      throw new ServiceError(
        'referral-basis-outdated',
        `The list rests on February version ${previous.februaryVersion}${previous.juneVersion ? ` and June version ${previous.juneVersion}` : ''}`,
      );
    const open = await openReferrals(tx, province, biennium);
    const shortIds = febRows.filter((r) => r.status === 'short').map((r) => r.memberId);
    const onFile = await membersWithDebtRequests(tx, shortIds, biennium);
    const plan = planReferrals(
      { february: { version: feb.version, rows: febRows }, june: june ? { version: june.version, rows: juneRows } : null },
      open.map((r) => ({
        id: r.id,
        memberId: r.memberId,
        state: r.state as 'prepared' | 'sent' | 'answered',
        phase: r.phase,
        version: r.version,
        row: r.row,
        note: r.note,
      })),
    );
    const summary: PreparationSummary = {
      created: plan.create.length,
      refreshed: plan.refresh.length,
      withdrawn: plan.withdraw.length,
      noted: plan.note.length,
      noteCleared: plan.clearNote.length,
      held: plan.held,
      referred: plan.referred,
    };
    const acts = plan.create.length + plan.refresh.length + plan.withdraw.length + plan.note.length + plan.clearNote.length;
    const sameBasis = previous !== null && previous.februaryVersion === basis.februaryVersion && previous.juneVersion === basis.juneVersion;
    if (sameBasis && acts === 0) return { changed: false, previous, summary, refreshed: [] as string[] };

    const members = await membersForLetters(
      tx,
      [...plan.create, ...plan.refresh].map((f) => f.row.memberId),
    );
    const letterOf = (id: string, number: string, f: FinalRow) => {
      const m = members.get(f.row.memberId);
      if (!m) throw new Error(`member ${f.row.memberId} of a verification row is not in the register`);
      const snapshot = heads.get(f.phase)!;
      return referralLetter({
        referralId: id,
        number,
        province,
        biennium,
        member: m,
        row: f.row,
        phase: f.phase,
        version: f.version,
        verifiedAt: snapshot.createdAt,
        letterOn: today,
      });
    };

    // Numbered by surname and name, so the list and its letters read in order.
    const name = (f: FinalRow) => {
      const m = members.get(f.row.memberId)!;
      return `${m.surname}\u0000${m.givenName}\u0000${f.row.memberId}`;
    };
    const creations = [...plan.create].sort((a, b) => name(a).localeCompare(name(b), 'it'));
    let seq = await nextReferralSeq(tx, province, biennium);
    for (const f of creations) {
      const id = crypto.randomUUID();
      const number = referralNumber(province, biennium, seq);
      await insertReferral(tx, {
        id,
        province,
        biennium,
        seq: seq++,
        number,
        memberId: f.row.memberId,
        phase: f.phase,
        version: f.version,
        row: f.row,
        letter: letterOf(id, number, f),
        letterOn: today,
        at,
        by,
      });
      await appendReferralHistory(tx, id, { at, actor: by, action: 'prepared', data: { phase: f.phase, version: f.version, status: f.row.status } });
    }
    const byId = new Map(open.map((r) => [r.id, r]));
    for (const f of plan.refresh) {
      await refreshReferral(tx, f.id, {
        phase: f.phase,
        version: f.version,
        row: f.row,
        letter: letterOf(f.id, byId.get(f.id)!.number, f),
        letterOn: today,
        at,
      });
      await appendReferralHistory(tx, f.id, {
        at,
        actor: by,
        action: 'refreshed',
        data: { from: f.from, to: { phase: f.phase, version: f.version }, status: f.row.status },
      });
    }
    for (const w of plan.withdraw) {
      await withdrawReferral(tx, w.id, w.note, at);
      await appendReferralHistory(tx, w.id, { at, actor: by, action: 'withdrawn', data: { ...w.note } });
      // A letter withdrawn before it went out must not verify as valid (R-DOC-4).
      const doc = await currentDocument(tx, KIND, referralSubject(w.id), true);
      if (doc) await revokeDocumentRow(tx, doc.id, { at: new Date(at), by, reason: withdrawalWords(w.note) });
    }
    for (const n of plan.note) {
      await setReferralNote(tx, n.id, n.note, at);
      await appendReferralHistory(tx, n.id, { at, actor: by, action: 'noted', data: { ...n.note } });
    }
    for (const c of plan.clearNote) {
      await setReferralNote(tx, c.id, null, at);
      await appendReferralHistory(tx, c.id, { at, actor: by, action: 'note-cleared', data: { phase: c.phase, version: c.version, status: c.status } });
    }
    await insertPreparation(tx, { province, biennium, ...basis, preparedAt: at, preparedBy: by, summary });
    return { changed: true, previous, summary, refreshed: plan.refresh.map((f) => f.id) };
  });

  // A restated letter supersedes the document of the one it replaces (R-DOC-5), downloaded or not.
  for (const id of outcome.refreshed) {
    const r = await referralById(ctx.db, id);
    if (r?.state === 'prepared') await issueLetter(ctx, r);
  }
  return { changed: outcome.changed, basis, previous: outcome.previous, summary: outcome.summary };
}

/** Why a letter's document was revoked, in the words the verification page shows. */
function withdrawalWords(n: ReferralNote): string {
  const phase = n.phase === 'june' ? 'del 30 giugno' : 'del 28 febbraio';
  const why: Record<ReferralNote['reason'], string> = {
    'in-order': 'l’iscritto risulta in regola',
    'not-due': 'l’obbligo dell’iscritto non era ancora iniziato',
    'debt-recovery-open': 'l’iscritto è stato ammesso al recupero del debito formativo',
    'debt-request-pending': 'è in attesa di decisione una richiesta di recupero del debito formativo',
    'not-in-verification': 'l’iscritto non è più compreso nella verifica della provincia',
  };
  return `segnalazione ritirata prima dell’invio: ${why[n.reason]} nella versione ${n.version} della verifica ${phase}`;
}

/**
 * A page of the list by number (R-VER-9), optionally of one state, with the list's basis, the
 * snapshots it may rest on and the count per state. Before the first preparation `list` is null.
 */
export async function listReferrals(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { province: string; biennium: number; state?: ReferralState | undefined; after?: number | undefined; limit: number },
): Promise<ReferralList> {
  const province = provinceFor(actor, input.province, false);
  const { biennium } = input;
  const [list, feb, june, counts, rows] = await Promise.all([
    latestPreparation(ctx.db, province, biennium),
    head(ctx, province, biennium, 'february'),
    head(ctx, province, biennium, 'june'),
    referralCounts(ctx.db, province, biennium),
    referralsPage(ctx.db, { province, biennium, state: input.state ?? null, after: input.after ?? null, limit: input.limit }),
  ]);
  const available = (h: SnapshotHead | null): AvailableSnapshot | null => (h ? { version: h.version, asOf: h.asOf, createdAt: h.createdAt } : null);
  return {
    province,
    biennium,
    list,
    opensAfter: referralsOpenAt(biennium).toISOString(),
    available: { february: available(feb), june: available(june) },
    counts,
    referrals: rows.map(view),
    next: rows.length === input.limit ? rows[rows.length - 1]!.seq : null,
  };
}

/** One referral with its history, oldest step first. */
export async function getReferral(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<ReferralView & { history: HistoryEntry[] }> {
  const r = visible(actor, await referralById(ctx.db, id), false);
  return { ...view(r), history: await referralHistory(ctx.db, id) };
}

/**
 * Moves a referral by hand (R-VER-9): `sent` (the day, and the protocol number and PEC reference
 * when there are) from prepared, only while the list rests on the latest verification versions
 * (`referral-list-outdated`: a letter never goes out on facts a newer version contradicts);
 * `answered` (the day and the discipline council's reply in short) from sent. The step is
 * recorded with who took it; another province's referral is `referral-not-found`.
 */
export async function moveReferral(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, input: { id: string } & ReferralTransition): Promise<ReferralView> {
  const by = actorRef(actor);
  const at = new Date(ctx.now()).toISOString();
  const updated = await ctx.db.transaction(async (tx) => {
    const peek = visible(actor, await referralById(tx, input.id), true);
    // The list's lock first (as a preparation takes it), then the row.
    await lockReferralList(tx, peek.province, peek.biennium);
    const r = visible(actor, await referralById(tx, input.id, true), true);
    const step = referralTransition({ state: r.state, letterOn: r.letterOn, sentOn: r.sentOn }, input.to, input.on, romeDate(ctx.now()));
    if (!step.ok) {
      if (step.error === 'invalid-transition')
        throw new ServiceError('referral-invalid-transition', `A ${r.state} referral cannot become ${input.to}`, { state: r.state });
      throw new ServiceError(
        'invalid-referral-date',
        step.error === 'date-in-future' ? 'The day is after today (Rome)' : `The day is before ${input.to === 'sent' ? 'the letter' : 'the sending'}`,
        { field: 'on' },
      );
    }
    if (input.to === 'sent') {
      const list = await latestPreparation(tx, r.province, r.biennium);
      const feb = await snapshotHead(tx, { province: r.province, biennium: r.biennium, phase: 'february' });
      const june = await snapshotHead(tx, { province: r.province, biennium: r.biennium, phase: 'june' });
      if (!list || list.februaryVersion !== feb?.version || list.juneVersion !== (june?.version ?? null))
        throw new ServiceError(
          'referral-list-outdated',
          `The verification has February version ${feb?.version}${june ? ` and June version ${june.version}` : ''}`,
          {
            februaryVersion: feb?.version ?? null,
            juneVersion: june?.version ?? null,
          },
        );
      const s = { on: input.on, by, protocolNumber: input.protocolNumber ?? null, pecReference: input.pecReference ?? null, at };
      await markReferralSent(tx, r.id, s);
      await appendReferralHistory(tx, r.id, {
        at,
        actor: by,
        action: 'sent',
        data: { on: s.on, protocolNumber: s.protocolNumber, pecReference: s.pecReference },
      });
    } else {
      await markReferralAnswered(tx, r.id, { on: input.on, by, summary: input.summary, at });
      await appendReferralHistory(tx, r.id, { at, actor: by, action: 'answered', data: { on: input.on, summary: input.summary } });
    }
    return (await referralById(tx, r.id))!;
  });
  return view(updated);
}

/** The letter's verifiable document: the facts stored with the referral, so every download is the same document (R-DOC-5). */
function issueLetter(ctx: Pick<ServiceContext, 'db' | 'now'>, r: ReferralRecord): Promise<IssuedDocument> {
  return issueDocument(ctx, { kind: KIND, subject: referralSubject(r.id), issuer: referralIssuer(r.province), facts: r.letter });
}

async function letterPdf(ctx: Pick<ServiceContext, 'db' | 'now'>, r: ReferralRecord, origin: string): Promise<{ pdf: Buffer; fileName: string }> {
  const d = await issueLetter(ctx, r);
  const pdf = await referralLetterPdf(r.letter, { code: d.code, url: verificationUrl(origin, d.code), factsDigest: d.factsDigest });
  return { pdf, fileName: referralLetterInfo(r.letter).fileName };
}

/**
 * The letter of a referral as a PDF with its verification code, QR code and digest (R-VER-9,
 * R-DOC-1): issued by the CPO (`cpo:<province>`), subject `referral:<id>`. A withdrawn referral's
 * letter is no longer issued (`referral-withdrawn`). `origin` is where `/verify` is served.
 */
export async function referralLetterDocument(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  input: { id: string; origin: string },
): Promise<{ pdf: Buffer; fileName: string }> {
  const r = visible(actor, await referralById(ctx.db, input.id), false);
  if (r.state === 'withdrawn') throw new ServiceError('referral-withdrawn');
  return letterPdf(ctx, r, input.origin);
}

/**
 * Every letter of a list (all but the withdrawn ones, or those of `state`) as one zip, a PDF per
 * letter named by its number: each letter is its own document with its own code, sent on its own.
 */
export async function referralLettersZip(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  input: { province: string; biennium: number; state?: ReferralState | undefined; origin: string },
): Promise<{ zip: Buffer; fileName: string; count: number }> {
  const province = provinceFor(actor, input.province, false);
  if (input.state === 'withdrawn') throw new ServiceError('referral-withdrawn');
  let count = 0;
  async function* entries() {
    let after: number | null = null;
    for (;;) {
      const page = await referralsPage(ctx.db, { province, biennium: input.biennium, state: input.state ?? null, after, limit: 100 });
      for (const r of page) {
        if (r.state === 'withdrawn') continue;
        const { pdf, fileName } = await letterPdf(ctx, r, input.origin);
        count++;
        yield { name: fileName, data: pdf };
      }
      if (page.length < 100) return;
      after = page[page.length - 1]!.seq;
    }
  }
  const zip = await writeZip(entries(), { compressionLevel: 6 });
  return { zip, fileName: `deferimenti_${province}_${input.biennium}-${input.biennium + 1}${input.state ? `_${input.state}` : ''}.zip`, count };
}

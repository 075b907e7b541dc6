/**
 * @module E-learning and podcast courses (issue 6 §1): the R-ELN-5 compliance profile of the
 * FAD guidelines (seed 004, art. 1 f, h, i, l) checked against what the organiser declared and
 * what the gateway read from the SCORM package, and the validity window (R-EVT-5). Pure.
 *
 * Each check has a status:
 * - `verified`: the gateway checked it on the package it holds, or enforces it itself;
 * - `declared`: the organiser's declaration meets the rule, but the gateway cannot see the
 *   content (question banks, how the test draws) to verify it;
 * - `pass`: met on data the gateway owns (the event's accreditation);
 * - `fail`: not met, or nothing to check (no package, no declaration), with the reason.
 */
import { romeDate } from './calendar.ts';
import { accreditationDeadline, accreditationStatus } from './events.ts';
import { parsePrerequisites } from './scorm-prerequisites.ts';

/** The numbers of R-ELN-5 (FAD guidelines art. 1) and R-EVT-5. */
export const ELEARNING_RULES = Object.freeze({
  /** Art. 1 f: modules of at most 15 minutes. */
  maxModuleMinutes: 15,
  /** Art. 1 i: eight questions per credit of the event. */
  questionsPerCredit: 8,
  /** Art. 1 l: the test can be taken within 6 months of the access credentials. */
  minAccessWindowMonths: 6,
  /** R-EVT-5 (art. 13 c.5): valid one year from accreditation. */
  validityMonths: 12,
});

export type ScormVersion = '1.2' | '2004';

/** A sharable content object as the manifest lists it. */
export interface ScoSummary {
  /** The `item` identifier (unique in the manifest). */
  identifier: string;
  title: string;
  /** The resource it launches. */
  resource: string;
  /** Launch file, a path inside the package (xml:base applied, query and fragment removed). */
  launch: string;
  /** The launch href with its query (`parameters`), as the player will load it. */
  href: string;
  /** SCORM 1.2 `adlcp:masteryscore` (0–100), when the manifest gives one. */
  masteryScore?: number | undefined;
  /**
   * SCORM 1.2 `adlcp:prerequisites` (type `aicc_script`) as written: the items that must be done
   * before this one is offered (`src/domain/scorm-prerequisites.ts`, enforced by the player).
   */
  prerequisites?: string | undefined;
}

/** What the gateway read from `imsmanifest.xml`. */
export interface ManifestSummary {
  version: ScormVersion;
  /** `metadata/schemaversion` as written, if any. */
  schemaVersion: string | null;
  identifier: string | null;
  /** Title of the organisation used (the default one, else the first). */
  title: string;
  organisation: string | null;
  /** The SCOs offered to the learner, in manifest order: every one must be completed (R-ELN-2). */
  scos: ScoSummary[];
  /**
   * Items with `isvisible="false"`: not shown in the player and not required. Absent on packages
   * read before the gateway followed `isvisible` (every SCO was offered then).
   */
  hiddenScos?: ScoSummary[] | undefined;
  /**
   * SCORM 2004 sequencing the manifest defines (IMS Simple Sequencing): how many items,
   * organisations and collections carry `imsss:sequencing`, and the elements used
   * (`sequencingRules`, `controlMode`…). The player does not enforce it.
   */
  sequencing?: { places: number; elements: string[] } | undefined;
  /** Resources that are assets (not SCOs), counted. */
  assets: number;
}

/** What the organiser declares about the course (not verifiable from the package). */
export interface CourseDeclaration {
  nominalMinutes: number;
  /** Pass mark of the final test, in % of the score. */
  masteryScore: number;
  /** Minutes of each module, by SCO identifier. */
  modules: Array<{ sco: string; minutes: number }>;
  finalTest: {
    bankQuestions: number;
    questionsPerAttempt: number;
    randomDraw: boolean;
    retryDifferentQuestions: boolean;
  };
  accessWindowMonths: number;
}

/** `not-enforced`: the package asks for something the gateway's player does not do (reported, not a failure). */
export type CheckStatus = 'pass' | 'fail' | 'declared' | 'verified' | 'not-enforced';

export type CheckId =
  | 'scorm-package'
  | 'launch-files'
  | 'module-duration'
  | 'questions-in-bank'
  | 'questions-per-attempt'
  | 'random-draw'
  | 'retry-different-questions'
  | 'access-window'
  | 'full-completion'
  | 'navigation'
  | 'accreditation-validity';

export interface ComplianceCheck {
  id: CheckId;
  /** The rule it checks. */
  rule: string;
  status: CheckStatus;
  /** Why, in English (the API's stable wording). */
  reason: string;
  /** Why, in Italian, for the console's people. */
  text: string;
}

export interface ComplianceReport {
  /** No check failed. */
  compliant: boolean;
  counts: Record<CheckStatus, number>;
  checks: ComplianceCheck[];
}

/** The accreditation as the event holds it, silence already resolved (R-EVT-3). */
export interface AccreditationView {
  status: 'requested' | 'approved' | 'rejected';
  /** When it took effect: the decision, or the end of the 10 days for a silent consent. */
  approvedAt: string | null;
}

/**
 * The accreditation as it stands at `now`, with when it took effect (a silent consent: the end of
 * the 10 days, R-EVT-3).
 */
export function accreditationView(
  a: { status: 'requested' | 'approved' | 'rejected'; requestedAt: string; decidedAt: string | null },
  now: number,
): AccreditationView {
  const status = accreditationStatus({ status: a.status, requestedAt: a.requestedAt }, now);
  if (status !== 'approved') return { status, approvedAt: null };
  return { status, approvedAt: a.status === 'requested' ? accreditationDeadline(Date.parse(a.requestedAt)).toISOString() : a.decidedAt };
}

export interface Validity {
  from: string;
  until: string;
}

/**
 * R-EVT-5: one year from accreditation (the same instant one calendar year later, UTC; 29
 * February gives 1 March). `null` while the event is not accredited.
 *
 * @example validityOf({ status: 'approved', approvedAt: '2026-03-01T10:00:00.000Z' }) // → { from: '2026-03-01T10:00:00.000Z', until: '2027-03-01T10:00:00.000Z' }
 * @rule R-EVT-5
 */
export function validityOf(acc: AccreditationView): Validity | null {
  if (acc.status !== 'approved' || !acc.approvedAt) return null;
  const from = new Date(acc.approvedAt);
  const until = new Date(from.getTime());
  until.setUTCMonth(until.getUTCMonth() + ELEARNING_RULES.validityMonths);
  return { from: from.toISOString(), until: until.toISOString() };
}

/**
 * What the player makes of the manifest's navigation, when it has any: hidden items are not
 * shown nor required and 1.2 prerequisites are enforced (`verified`); 2004 sequencing rules, and
 * prerequisites that do not parse, are not enforced (`not-enforced`, with what was found). Null
 * when the manifest has none of them.
 */
export function navigationCheck(
  pkg: Pick<ManifestSummary, 'scos' | 'hiddenScos' | 'sequencing'>,
): { status: CheckStatus; reason: string; text: string } | null {
  const hidden = pkg.hiddenScos ?? [];
  const withPrerequisites = pkg.scos.filter((s) => s.prerequisites !== undefined);
  const unreadable = withPrerequisites.filter((s) => parsePrerequisites(s.prerequisites!) === null);
  if (!hidden.length && !withPrerequisites.length && !pkg.sequencing) return null;
  const en: string[] = [];
  const it: string[] = [];
  const ids = (l: readonly { identifier: string }[]) => l.map((s) => s.identifier).join(', ');
  if (hidden.length) {
    en.push(`${hidden.length} hidden item(s) (isvisible="false") not shown and not required: ${ids(hidden)}`);
    it.push(
      `${plural(hidden.length, 'unità nascosta (isvisible="false"), non mostrata e non richiesta', '# unità nascoste (isvisible="false"), non mostrate e non richieste')}: ${ids(hidden)}`,
    );
  }
  const enforced = withPrerequisites.length - unreadable.length;
  if (enforced) {
    en.push(`prerequisites of ${enforced} module(s) enforced by the player`);
    it.push(`prerequisiti di ${plural(enforced, 'un modulo', '# moduli')} applicati dal lettore`);
  }
  let notEnforced = false;
  if (unreadable.length) {
    notEnforced = true;
    en.push(`prerequisites that do not parse, not enforced (the module is offered): ${ids(unreadable)}`);
    it.push(`prerequisiti non leggibili, non applicati (il modulo resta disponibile): ${ids(unreadable)}`);
  }
  if (pkg.sequencing) {
    notEnforced = true;
    const elements = pkg.sequencing.elements.join(', ') || 'empty';
    en.push(
      `SCORM 2004 sequencing on ${pkg.sequencing.places} item(s) (${elements}) is not enforced: the player offers every visible module in any order, and credits follow R-ELN-2 (every module completed, the final test passed)`,
    );
    it.push(
      `regole di sequenza SCORM 2004 (${elements}) non applicate: il lettore offre ogni modulo visibile in qualsiasi ordine e i crediti richiedono comunque tutti i moduli completati e la prova finale superata`,
    );
  }
  return { status: notEnforced ? 'not-enforced' : 'verified', reason: en.join('; '), text: it.join('; ') };
}

/** `one` for 1; else `many`, its `#` the count (the count before it when it has none). */
function plural(n: number, one: string, many: string): string {
  if (n === 1) return one;
  return many.includes('#') ? many.replace('#', String(n)) : `${n} ${many}`;
}

/** The questions the final test needs: eight per credit (art. 1 i). */
export function requiredQuestions(credits: number): number {
  return Math.ceil(credits * ELEARNING_RULES.questionsPerCredit);
}

/**
 * The R-ELN-5 report of a course: its package (or none yet), its declaration (or none yet) and
 * the event's credits and accreditation.
 *
 * @example complianceReport({ credits: 2, pkg, declaration, accreditation }).compliant
 * @rule R-ELN-5
 */
export function complianceReport(input: {
  credits: number;
  /** A SCORM manifest, or a cmi5 course structure's summary (its AUs as `scos`, issue 16). */
  pkg: (Omit<ManifestSummary, 'version'> & { version: ScormVersion | 'cmi5' }) | null;
  declaration: CourseDeclaration | null;
  accreditation: AccreditationView;
}): ComplianceReport {
  const { credits, pkg, declaration: d, accreditation } = input;
  const checks: ComplianceCheck[] = [];
  // Each check says why twice: `reason` for the API (English, stable), `text` for the console's people.
  const add = (id: CheckId, rule: string, status: CheckStatus, reason: string, text: string) => checks.push({ id, rule, status, reason, text });
  const noDeclaration = 'the course declaration (PUT /v1/events/{id}/elearning) is missing';
  const noDeclarationIt = 'manca la dichiarazione del corso (durate, prova finale, periodo di accesso)';
  const max = ELEARNING_RULES.maxModuleMinutes;
  const units = (n: number) => plural(n, 'unità didattica', 'unità didattiche');

  // The package: read and checked by the gateway at upload.
  if (!pkg) {
    add('scorm-package', 'SCORM 1.2 or 2004 package with at least one SCO', 'fail', 'no SCORM package uploaded', 'nessun pacchetto caricato');
    add('launch-files', 'every SCO launches a file of the package', 'fail', 'no SCORM package uploaded', 'nessun pacchetto caricato');
  } else if (pkg.scos.length === 0) {
    add(
      'scorm-package',
      'SCORM 1.2 or 2004 package with at least one SCO',
      'fail',
      `SCORM ${pkg.version} manifest lists no SCO`,
      'il pacchetto non elenca unità didattiche',
    );
    add('launch-files', 'every SCO launches a file of the package', 'fail', 'no SCO to launch', 'nessuna unità da avviare');
  } else {
    add(
      'scorm-package',
      'SCORM 1.2 or 2004 package with at least one SCO',
      'verified',
      pkg.version === 'cmi5'
        ? `cmi5 course structure read: ${pkg.scos.length} AU(s) in "${pkg.title}"`
        : `SCORM ${pkg.version} manifest read: ${pkg.scos.length} SCO(s) in "${pkg.title}"`,
      `${pkg.version === 'cmi5' ? 'corso cmi5' : `pacchetto SCORM ${pkg.version}`} letto: ${units(pkg.scos.length)} in «${pkg.title}»`,
    );
    add(
      'launch-files',
      'every SCO launches a file of the package',
      'verified',
      `all ${pkg.scos.length} launch file(s) are in the package`,
      `${plural(pkg.scos.length, 'il file di avvio è nel pacchetto', 'tutti i # file di avvio sono nel pacchetto')}`,
    );
  }

  // Modules ≤ 15 minutes (art. 1 f): durations are declared; the SCO count bounds what is possible.
  const moduleRule = `modules of at most ${max} minutes (FAD-GL art. 1 f)`;
  if (!d) add('module-duration', moduleRule, 'fail', noDeclaration, noDeclarationIt);
  else {
    const over = d.modules.filter((m) => m.minutes > max);
    const declared = new Map(d.modules.map((m) => [m.sco, m.minutes]));
    const unknown = pkg ? d.modules.filter((m) => !pkg.scos.some((s) => s.identifier === m.sco)).map((m) => m.sco) : [];
    const undeclared = pkg ? pkg.scos.filter((s) => !declared.has(s.identifier)).map((s) => s.identifier) : [];
    const scoCount = pkg?.scos.length ?? d.modules.length;
    if (over.length) {
      const list = over.map((m) => `${m.sco} (${m.minutes} min)`).join(', ');
      add(
        'module-duration',
        moduleRule,
        'fail',
        `module(s) over ${max} minutes: ${list}`,
        `${plural(over.length, 'modulo', 'moduli')} oltre i ${max} minuti: ${list}`,
      );
    } else if (unknown.length) {
      add(
        'module-duration',
        moduleRule,
        'fail',
        `declared module(s) not in the package: ${unknown.join(', ')}`,
        `moduli dichiarati che il pacchetto non contiene: ${unknown.join(', ')}`,
      );
    } else if (undeclared.length) {
      add(
        'module-duration',
        moduleRule,
        'fail',
        `SCO(s) without a declared duration: ${undeclared.join(', ')}`,
        `unità senza durata dichiarata: ${undeclared.join(', ')}`,
      );
    } else if (d.modules.length === 0) add('module-duration', moduleRule, 'fail', 'no module duration declared', 'nessuna durata dichiarata per i moduli');
    else if (d.nominalMinutes > scoCount * max) {
      add(
        'module-duration',
        moduleRule,
        'fail',
        `${scoCount} module(s) of at most ${max} minutes cannot hold the nominal ${d.nominalMinutes} minutes`,
        `${plural(scoCount, 'un modulo', '# moduli')} di al massimo ${max} minuti non possono contenere la durata nominale di ${d.nominalMinutes} minuti`,
      );
    } else {
      const total = d.modules.reduce((s, m) => s + m.minutes, 0);
      const longest = Math.max(...d.modules.map((m) => m.minutes));
      add(
        'module-duration',
        moduleRule,
        'declared',
        `${d.modules.length} module(s) declared of at most ${longest} minutes (${total} in all, nominal ${d.nominalMinutes})`,
        `${plural(d.modules.length, 'modulo dichiarato', 'moduli dichiarati')} di al massimo ${longest} minuti (${total} in tutto, durata nominale ${d.nominalMinutes})`,
      );
    }
  }

  // Final test (art. 1 i): eight questions per credit, drawn at random, a retry with different ones.
  const need = requiredQuestions(credits);
  const per = ELEARNING_RULES.questionsPerCredit;
  const minMonths = ELEARNING_RULES.minAccessWindowMonths;
  const accessRule = `the test can be taken within ${minMonths} months of the access credentials (FAD-GL art. 1 l)`;
  if (!d) {
    add('questions-in-bank', `at least ${per} questions per credit in the bank`, 'fail', noDeclaration, noDeclarationIt);
    add('questions-per-attempt', `at least ${per} questions per credit in each test`, 'fail', noDeclaration, noDeclarationIt);
    add('random-draw', 'questions drawn at random at each access (FAD-GL art. 1 i)', 'fail', noDeclaration, noDeclarationIt);
    add('retry-different-questions', 'a retry uses different questions (FAD-GL art. 1 i)', 'fail', noDeclaration, noDeclarationIt);
    add('access-window', accessRule, 'fail', noDeclaration, noDeclarationIt);
  } else {
    const t = d.finalTest;
    const needIt = `${plural(credits, 'un credito richiede', '# crediti richiedono')} almeno ${need} domande`;
    add(
      'questions-in-bank',
      `at least ${per} questions per credit in the bank`,
      t.bankQuestions >= need ? 'declared' : 'fail',
      `${t.bankQuestions} question(s) declared in the bank; ${credits} credit(s) need at least ${need}`,
      `${plural(t.bankQuestions, 'domanda dichiarata', 'domande dichiarate')} nell’archivio; ${needIt}`,
    );
    add(
      'questions-per-attempt',
      `at least ${per} questions per credit in each test`,
      t.questionsPerAttempt < need ? 'fail' : t.questionsPerAttempt > t.bankQuestions ? 'fail' : 'declared',
      t.questionsPerAttempt > t.bankQuestions
        ? `${t.questionsPerAttempt} question(s) per attempt cannot be drawn from a bank of ${t.bankQuestions}`
        : `${t.questionsPerAttempt} question(s) declared per attempt; ${credits} credit(s) need at least ${need}`,
      t.questionsPerAttempt > t.bankQuestions
        ? `${t.questionsPerAttempt} domande per tentativo non si possono estrarre da un archivio di ${t.bankQuestions}`
        : `${plural(t.questionsPerAttempt, 'domanda dichiarata', 'domande dichiarate')} per tentativo; ${needIt}`,
    );
    add(
      'random-draw',
      'questions drawn at random at each access (FAD-GL art. 1 i)',
      t.randomDraw ? (t.bankQuestions > t.questionsPerAttempt ? 'declared' : 'fail') : 'fail',
      !t.randomDraw
        ? 'the organiser declares the questions are not drawn at random'
        : t.bankQuestions > t.questionsPerAttempt
          ? `declared: ${t.questionsPerAttempt} of ${t.bankQuestions} drawn at random`
          : `a bank of ${t.bankQuestions} for ${t.questionsPerAttempt} per attempt leaves nothing to draw: every attempt gets the same questions`,
      !t.randomDraw
        ? 'l’ente dichiara che le domande non sono estratte a caso'
        : t.bankQuestions > t.questionsPerAttempt
          ? `dichiarato: ${t.questionsPerAttempt} domande estratte a caso su ${t.bankQuestions}`
          : `un archivio di ${t.bankQuestions} domande per ${t.questionsPerAttempt} a tentativo non lascia nulla da estrarre: ogni tentativo ha le stesse domande`,
    );
    const retryPossible = t.bankQuestions >= 2 * t.questionsPerAttempt;
    add(
      'retry-different-questions',
      'a retry uses different questions (FAD-GL art. 1 i)',
      t.retryDifferentQuestions && retryPossible ? 'declared' : 'fail',
      !t.retryDifferentQuestions
        ? 'the organiser declares a retry may repeat the questions'
        : retryPossible
          ? `declared; the bank of ${t.bankQuestions} holds two disjoint draws of ${t.questionsPerAttempt}`
          : `a bank of ${t.bankQuestions} cannot give a retry ${t.questionsPerAttempt} questions all different from the first attempt (needs ${2 * t.questionsPerAttempt})`,
      !t.retryDifferentQuestions
        ? 'l’ente dichiara che un nuovo tentativo può ripetere le domande'
        : retryPossible
          ? `dichiarato; l’archivio di ${t.bankQuestions} domande contiene due estrazioni distinte di ${t.questionsPerAttempt}`
          : `un archivio di ${t.bankQuestions} domande non può dare a un nuovo tentativo ${t.questionsPerAttempt} domande tutte diverse dal primo (ne servono ${2 * t.questionsPerAttempt})`,
    );
    add(
      'access-window',
      accessRule,
      d.accessWindowMonths >= minMonths ? 'declared' : 'fail',
      `access window of ${d.accessWindowMonths} month(s) declared; at least ${minMonths} required`,
      `periodo di accesso dichiarato: ${plural(d.accessWindowMonths, 'un mese', '# mesi')}; ne sono richiesti almeno ${minMonths}`,
    );
  }

  // 100% completion (art. 1 h, R-ELN-2): the gateway's derivation requires every SCO.
  add(
    'full-completion',
    '100% of the learning objects completed and the final test passed (FAD-GL art. 1 h, R-ELN-2)',
    'verified',
    pkg
      ? `enforced by the gateway: credits need all ${pkg.scos.length} SCO(s) completed and the test passed`
      : 'enforced by the gateway: credits need every SCO of the package completed and the test passed',
    pkg
      ? `applicato dal sistema: i crediti richiedono ${plural(pkg.scos.length, 'l’unità completata', 'tutte le # unità completate')} e la prova finale superata`
      : 'applicato dal sistema: i crediti richiedono tutte le unità del pacchetto completate e la prova finale superata',
  );

  if (pkg) {
    const nav = navigationCheck(pkg);
    if (nav) add('navigation', 'the manifest’s navigation: hidden items, prerequisites (SCORM 1.2), sequencing (SCORM 2004)', nav.status, nav.reason, nav.text);
  }

  // R-EVT-5: valid one year from accreditation.
  const validity = validityOf(accreditation);
  const day = (iso: string) => romeDate(new Date(iso)).split('-').reverse().join('/');
  add(
    'accreditation-validity',
    'valid one year from accreditation (R-EVT-5)',
    validity ? 'pass' : 'fail',
    validity ? `accredited ${validity.from}: valid until ${validity.until}` : `not accredited (${accreditation.status})`,
    validity
      ? `accreditato il ${day(validity.from)}: valido fino al ${day(validity.until)}`
      : accreditation.status === 'rejected'
        ? 'accreditamento respinto'
        : 'non ancora accreditato',
  );

  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, declared: 0, verified: 0, 'not-enforced': 0 };
  for (const c of checks) counts[c.status]++;
  return { compliant: counts.fail === 0, counts, checks };
}

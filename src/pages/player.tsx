/**
 * @module The reference SCORM player page (issue 6 §2), in Italian: the course's modules with
 * where the member stands, the frame the module plays in, and the outcome so far. Its one script
 * (`assets/scorm-player.js`) and scorm-again come from our own origin; the configuration travels
 * in a data attribute, which hono/jsx escapes, never as inline script.
 */
import { Layout } from './layout.tsx';
import { italianDateTime, withArticle } from './format.ts';
import { ELEARNING_REASON_LABELS } from './labels.ts';

export interface PlayerSco {
  identifier: string;
  title: string;
  completed: boolean;
  launched: boolean;
  /** Only for the final test. */
  passed?: boolean | undefined;
  /** SCORM 1.2 prerequisites not met yet: the titles of the modules to complete first (may be empty). */
  waitingFor?: string[] | null | undefined;
}

export interface PlayerOutcome {
  status: string;
  reason: string;
  credits: number;
  creditedSeconds: number;
  requiredSeconds: number | null;
  completedAt: string | null;
}

export interface PlayerProps {
  title: string;
  learner: string;
  version: '1.2' | '2004' | 'cmi5';
  scos: PlayerSco[];
  outcome: PlayerOutcome | null;
  attestationUrl: string | null;
  config: { version: '1.2' | '2004' | 'cmi5'; launchUrl: string; contentOrigin: string; review?: boolean };
  scripts: string[];
  expiresAt: Date;
  /** A council's review launch: no credit, nothing counted, no progress shown. */
  review?: boolean | undefined;
}

const minutes = (s: number) => `${Math.floor(s / 60)} min`;

const STYLE = `
.modules{list-style:none;padding:0;margin:0}
.modules li{display:flex;justify-content:space-between;align-items:center;gap:.75rem;padding:.5rem 0;border-bottom:1px solid #e3e6ea}
.modules button[aria-current]{background:#1e7b34}
.modules button[disabled]{background:#c9ced6;color:#3d434b;cursor:not-allowed}
.badge{font-size:.9rem;color:#4a4f57}
.badge.done{color:#1e7b34;font-weight:600}
#sco-frame{width:100%;min-height:28rem;border:1px solid #d0d4da;border-radius:.5rem;background:#fff}
`;

export function playerPage(p: PlayerProps) {
  const o = p.outcome;
  return (
    <Layout title={`${p.title} – lettore del corso`} style={STYLE} scripts={p.scripts}>
      <h1>{p.title}</h1>
      {p.review ? (
        <div class="warn" role="note">
          <p>
            Accesso di revisione per {p.learner}: il corso si apre in modalità consultazione (SCORM «browse», senza crediti). Nulla di quanto fa qui conta come
            fruizione né viene registrato tra le presenze.
          </p>
          <p class="hint">Link valido fino {withArticle('al', italianDateTime(p.expiresAt))}.</p>
        </div>
      ) : (
        <p class="hint">
          Partecipante: {p.learner}. Link valido fino {withArticle('al', italianDateTime(p.expiresAt))}.
        </p>
      )}
      {o && o.status === 'credited' ? (
        <div class="ok" role="status">
          <p>
            {ELEARNING_REASON_LABELS.credited} Crediti: {o.credits}. Completato
            {o.completedAt ? ` ${withArticle('il', italianDateTime(new Date(o.completedAt)))}` : ''}.
          </p>
          {p.attestationUrl && (
            <p>
              <a href={p.attestationUrl}>Scarica l’attestato (PDF)</a>
            </p>
          )}
        </div>
      ) : o ? (
        <div class={o.status === 'not-credited' ? 'alert' : 'warn'} role="status">
          <p>{ELEARNING_REASON_LABELS[o.reason as keyof typeof ELEARNING_REASON_LABELS] ?? ELEARNING_REASON_LABELS['not-derived']}</p>
          {o.requiredSeconds !== null && (
            <p class="hint">
              Tempo riconosciuto: {minutes(o.creditedSeconds)} su {minutes(o.requiredSeconds)} richiesti.
            </p>
          )}
        </div>
      ) : null}
      <section id="player" data-config={JSON.stringify(p.config)} class="card">
        <h2>Moduli</h2>
        <ul class="modules">
          {p.scos.map((s, i) => (
            <li>
              <span>
                {s.title}{' '}
                {!p.review && (
                  <span class={s.completed ? 'badge done' : 'badge'}>
                    {s.passed === true ? '· superato' : s.completed ? '· completato' : s.launched ? '· iniziato' : '· da iniziare'}
                  </span>
                )}
                {s.waitingFor && (
                  <span class="badge" id={`requires-${i}`}>
                    {' '}
                    {s.waitingFor.length ? `· disponibile dopo ${s.waitingFor.map((t) => `«${t}»`).join(', ')}` : '· non ancora disponibile'}
                  </span>
                )}
              </span>
              <button
                type="button"
                data-sco={s.identifier}
                data-title={s.title}
                disabled={!!s.waitingFor}
                aria-describedby={s.waitingFor ? `requires-${i}` : undefined}
              >
                {s.launched && !p.review ? 'Riprendi' : 'Avvia'}
              </button>
            </li>
          ))}
        </ul>
        <p id="player-status" class="hint" role="status" aria-live="polite">
          Scelga un modulo per iniziare. I progressi sono salvati automaticamente, anche chiudendo la pagina.
        </p>
        <iframe id="sco-frame" title="Modulo del corso" hidden></iframe>
      </section>
    </Layout>
  );
}

/**
 * A review link that no longer opens the course (issue 16): it was for a council officer, who
 * opens a new review from the console, not a member who asks the council for a link.
 */
export function reviewClosedPage(p: { expired: boolean; validHours: number }) {
  const title = p.expired ? 'Link di revisione scaduto' : 'Link di revisione non valido';
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <div class={p.expired ? 'warn' : 'alert'} role="status">
        <p>
          {p.expired
            ? `Il link di revisione del corso è scaduto: vale ${p.validHours} ore dall’apertura.`
            : 'Il link di revisione non è valido. Controlli di averlo copiato per intero.'}
        </p>
        <p>
          Apra una nuova revisione dalla pagina «Corso e-learning» dell’evento nella console: <a href="/console/eventi">Eventi</a>.
        </p>
      </div>
    </Layout>
  );
}

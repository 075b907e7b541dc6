/**
 * @module What the pages of one event in the provider's console share: the frame (the console's
 * menu, the event's title, dates and tabs: Presenze, Questionario, Corso), the script that
 * enhances uploads (our own origin, deferred; every form works without it), notices and a page
 * that only says something (an unknown event).
 */
import type { Child } from 'hono/jsx';
import { italianDateTime, withArticle } from '../format.ts';
import { Layout } from '../layout.tsx';
import { consoleMenu, type ConsolePerson } from './account-pages.tsx';
import type { FormProblem } from './signin-pages.tsx';
import { attendanceRefusal } from './attendance-labels.ts';

/** The console's own script: upload progress and copy buttons (progressive enhancement only). */
export const CONSOLE_SCRIPT = '/console/risorse/console.js';

export interface EventHead {
  id: string;
  title: string;
  mode: string;
  start: Date;
  end: Date;
  closedAt: Date | null;
  /** Late entry plus early exit allowed, minutes (R-ATT-2). */
  toleranceMinutes: number;
}

const STYLE = `
.tabs{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0 1rem;padding:0;list-style:none;border-bottom:1px solid #d0d4da}
.tabs a{display:inline-block;padding:.5rem .25rem;font-weight:600;color:#0b3d6b}
.tabs a[aria-current]{text-decoration:underline;text-underline-offset:.3rem}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.counts li a,.counts li span{display:inline-block;border:1px solid #d0d4da;border-radius:.35rem;padding:.35rem .6rem;background:#fff}
.counts a[aria-current]{border:2px solid #0b3d6b}
.pager{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
input[type=file],input[type=time],textarea.short{font:inherit;max-width:28rem;width:100%}
textarea.short{min-height:4rem}
.copy{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.copy input{flex:1;min-width:12rem}
progress{width:100%;max-width:28rem;height:1.25rem}
`;

const TABS: ReadonlyArray<{ key: string; label: string; path: string; modes: readonly string[] | null }> = [
  { key: 'presenze', label: 'Presenze', path: 'presenze', modes: null },
  { key: 'questionario', label: 'Questionario', path: 'questionario', modes: ['webinar'] },
  { key: 'corso', label: 'Corso e-learning', path: 'corso', modes: ['e-learning', 'podcast'] },
];

export function eventPage(person: ConsolePerson, event: EventHead, tab: string, title: string, body: Child, opts: { script?: boolean } = {}) {
  const base = `/console/eventi/${event.id}`;
  return (
    <Layout
      title={`${title} · ${event.title} · Formazione continua CdL`}
      style={STYLE}
      scripts={opts.script ? [CONSOLE_SCRIPT] : undefined}
      staff={consoleMenu(person, `${base}/${tab}`)}
    >
      <p>
        <a href="/console/eventi">Eventi</a>
      </p>
      <h1>{event.title}</h1>
      <p class="hint">
        {withArticle('Dal', italianDateTime(event.start))} {withArticle('al', italianDateTime(event.end))}
        {event.closedAt ? ` · corso chiuso ${withArticle('il', italianDateTime(event.closedAt))}` : ''}
      </p>
      <nav aria-label="Sezioni dell’evento">
        <ul class="tabs">
          {TABS.filter((t) => !t.modes || t.modes.includes(event.mode)).map((t) => (
            <li>
              <a href={`${base}/${t.path}`} aria-current={t.key === tab ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {body}
    </Layout>
  );
}

/** A refusal of an operation as a problem worded by the attendance table (fields marked when given). */
export function refusalProblem(code: string, field?: string): FormProblem {
  return field ? { code, field, text: attendanceRefusal(code) } : { code, text: attendanceRefusal(code) };
}

/** The event is unknown or not this person's (R-ACC: ids do not leak). */
export function eventNotFoundPage(person: ConsolePerson) {
  return (
    <Layout title="Evento non trovato · Formazione continua CdL" staff={consoleMenu(person, '/console/eventi')}>
      <h1>Evento non trovato</h1>
      <div class="alert" role="alert">
        <p>L’evento non esiste oppure non è tra quelli che può vedere.</p>
      </div>
      <p>
        <a href="/console/eventi">Torna agli eventi</a>
      </p>
    </Layout>
  );
}

/** Minutes as people read them: `2 h 05 min`, `45 min`. */
export function minutesText(m: number): string {
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

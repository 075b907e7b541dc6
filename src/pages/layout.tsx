/**
 * @module The frame of every page, members' and staff's alike: Italian, readable on a phone, no
 * script, no external resource. hono/jsx escapes every interpolated value (the constant style
 * sheet is the one raw string), so member data and question texts never become markup. A staff
 * page adds the bar with the person's name, the console's menu and the sign-out button.
 */
import type { Child, FC } from 'hono/jsx';
import { html, raw } from 'hono/html';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#f4f5f7}
main{max-width:44rem;margin:0 auto;padding:1rem}
header.site{background:#0b3d6b;color:#fff;padding:.75rem 1rem}
header.site p{margin:0;max-width:44rem;margin:0 auto;font-weight:600}
h1{font-size:1.5rem;line-height:1.25;margin:1rem 0 .5rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border:1px solid #d0d4da;border-radius:.5rem;padding:1rem;margin:1rem 0}
fieldset{border:1px solid #d0d4da;border-radius:.5rem;margin:1rem 0;padding:.75rem 1rem;background:#fff}
legend{font-weight:600;padding:0 .25rem}
.opt{display:flex;gap:.6rem;align-items:flex-start;padding:.45rem 0}
.opt input{width:1.35rem;height:1.35rem;margin-top:.1rem;flex:none}
.scale{display:flex;flex-wrap:wrap;gap:.4rem}
.scale label{display:flex;flex-direction:column;align-items:center;min-width:2.6rem;padding:.35rem;border:1px solid #d0d4da;border-radius:.35rem}
.scale input{width:1.3rem;height:1.3rem}
.hint{color:#4a4f57;font-size:.95rem}
button{font:inherit;font-weight:600;background:#0b3d6b;color:#fff;border:0;border-radius:.4rem;padding:.75rem 1.25rem;min-height:2.75rem;cursor:pointer}
button.secondary{background:#fff;color:#0b3d6b;border:2px solid #0b3d6b}
:focus-visible{outline:3px solid #e08a00;outline-offset:2px}
.alert{border-left:.35rem solid #b3261e;background:#fdecea;padding:.75rem 1rem;margin:1rem 0}
.ok{border-left:.35rem solid #1e7b34;background:#e8f5ec;padding:.75rem 1rem;margin:1rem 0}
.warn{border-left:.35rem solid #a15c00;background:#fff4e0;padding:.75rem 1rem;margin:1rem 0}
textarea{width:100%;min-height:8rem;font:inherit;padding:.5rem;border:1px solid #8a9099;border-radius:.35rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0}
dt{font-weight:600}
dd{margin:0}
main.wide{max-width:72rem}
header.site.wide p{max-width:72rem}
nav.console{background:#fff;border-bottom:1px solid #d0d4da}
nav.console div{max-width:72rem;margin:0 auto;padding:.25rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
nav.console a{color:#0b3d6b;font-weight:600;padding:.5rem .25rem;text-decoration:none}
nav.console a[aria-current]{text-decoration:underline;text-underline-offset:.3rem}
nav.console form{margin-left:auto}
nav.console button{padding:.4rem .9rem;min-height:2.25rem}
.who{color:#4a4f57;font-size:.95rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=email],input[type=password],input[type=number],input[type=date],input[type=datetime-local],select{font:inherit;width:100%;max-width:28rem;padding:.55rem;border:1px solid #8a9099;border-radius:.35rem;background:#fff}
input[aria-invalid=true]{border:2px solid #b3261e}
.field-error{color:#b3261e;font-weight:600;margin:.25rem 0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #d0d4da;vertical-align:top}
.table-wrap{overflow-x:auto}
.codes{font-family:ui-monospace,monospace;font-size:1.1rem;columns:2;list-style:none;padding:0}
.opt > label{margin:0}
.skip{position:absolute;left:0;top:0;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.skip:focus{left:1rem;top:.5rem;width:auto;height:auto;clip-path:none;background:#fff;padding:.5rem;z-index:1}
@media (max-width:40rem){table.stack thead{display:none}table.stack tr,table.stack td{display:block}table.stack tr{border-bottom:1px solid #d0d4da;padding:.4rem 0}table.stack td{border:0;padding:.15rem .5rem}table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
`;

/** The staff bar: who is signed in, the menu of their console, sign-out. */
export interface StaffBar {
  name: string;
  roleLabel: string;
  menu: readonly { href: string; label: string; current?: boolean }[];
  /** The person's own page, reached from their name. */
  account?: { href: string; current: boolean };
}

/**
 * `style`: extra constant rules of one page (never member data). `scripts`: script files of our
 * own origin, deferred (the SCORM player, whose runtime cannot work without one, and the console's
 * upload progress, which every form works without). `refresh`: seconds after which the browser
 * reloads the page (a job's progress page, without script).
 */
export const Layout: FC<{ title: string; style?: string; scripts?: readonly string[]; staff?: StaffBar; refresh?: number; children?: Child }> = ({
  title,
  style,
  scripts,
  staff,
  refresh,
  children,
}) =>
  html`<!doctype html>${(
    <html lang="it">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        {refresh ? <meta http-equiv="refresh" content={String(refresh)} /> : null}
        <title>{title}</title>
        <style>{raw(style ? STYLE + style : STYLE)}</style>
        {scripts?.map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body>
        {staff ? (
          <a class="skip" href="#contenuto">
            Vai al contenuto
          </a>
        ) : null}
        <header class={staff ? 'site wide' : 'site'}>
          <p>Formazione continua dei Consulenti del Lavoro</p>
        </header>
        {staff ? (
          <nav class="console" aria-label="Menu principale">
            <div>
              {staff.menu.map((m) => (
                <a href={m.href} aria-current={m.current ? 'page' : undefined}>
                  {m.label}
                </a>
              ))}
              <form method="post" action="/console/esci">
                <span class="who">
                  {staff.account ? (
                    <a href={staff.account.href} aria-current={staff.account.current ? 'page' : undefined} title="Sicurezza dell’account">
                      {staff.name}
                    </a>
                  ) : (
                    staff.name
                  )}{' '}
                  · {staff.roleLabel}
                </span>{' '}
                <button type="submit" class="secondary">
                  Esci
                </button>
              </form>
            </div>
          </nav>
        ) : null}
        <main id="contenuto" class={staff ? 'wide' : undefined}>
          {children}
        </main>
      </body>
    </html>
  )}`;

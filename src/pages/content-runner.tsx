/**
 * @module The content runner (R-ISO-3): the page the player frames on the content origin, which
 * holds the SCORM run-time API (scorm-again) where the module finds it (`window.parent.API`),
 * same-origin with the module and nothing else. It has no text of its own beyond a title: the
 * module plays in its one frame. Scripts come from the content origin; the configuration travels
 * in a data attribute, which hono/jsx escapes.
 */
import { html } from 'hono/html';

export interface RunnerProps {
  /** The player's origin: the only window the runner takes its start from and reports to. */
  playerOrigin: string;
  version: '1.2' | '2004';
  /** Where the module's files are: `<content origin>/c/<capability>/`. */
  contentBase: string;
  /** The launch's commits: `<content origin>/commit/<capability>`. */
  commitUrl: string;
  autocommitSeconds: number;
  scripts: string[];
  stylesheet: string;
}

export function runnerPage(p: RunnerProps) {
  const config = JSON.stringify({
    playerOrigin: p.playerOrigin,
    version: p.version,
    contentBase: p.contentBase,
    commitUrl: p.commitUrl,
    autocommitSeconds: p.autocommitSeconds,
  });
  return html`<!doctype html>
<html lang="it">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Modulo del corso</title>
    <link rel="stylesheet" href="${p.stylesheet}" />
    ${p.scripts.map((src) => html`<script src="${src}" defer></script>`)}
  </head>
  <body>
    <div id="runner" data-config="${config}"></div>
    <iframe id="sco" title="Modulo del corso" hidden></iframe>
  </body>
</html>`;
}

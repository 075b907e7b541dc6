/**
 * @module OpenAPI 3.1 document (generated from the zod schemas) at `/openapi.json` and a docs
 * page at `/docs`, served from the installed swagger-ui-dist (no CDN: works offline).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv } from './auth.ts';
import { router } from './router.ts';

const require = createRequire(import.meta.url);
const UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CdL gateway API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;
// A separate script file, so a strict Content-Security-Policy needs no inline script.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });`;

export function docsRoutes(app: OpenAPIHono<AuthEnv>) {
  const docs = router();
  docs.get('/openapi.json', (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'CdL continuing-education compliance gateway',
          version: '0.1.0',
          description: 'Tracking ingest, attendance derivation and credits for Consulenti del Lavoro. Errors are RFC 9457 problem+json with a stable `code`.',
        },
      }),
    ),
  );
  docs.get('/docs', (c) => c.html(PAGE));
  docs.get('/docs/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  docs.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    return c.body(fs.readFileSync(path.join(UI_DIR, file)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return docs;
}

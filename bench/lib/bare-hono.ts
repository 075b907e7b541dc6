/**
 * @module The ratio's denominator: a bare Hono app on @hono/node-server, in its own process, that
 * answers the ingest route by parsing the JSON body and replying 202, with no auth, validation,
 * storage or queue. Same framework, same server adapter, same machine, same generator.
 *
 * Run: node --import tsx bench/lib/bare-hono.ts   (PORT, default 0 = any free port)
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

const app = new Hono();
app.post('/v1/ingest/webinar/:eventId', async (c) => {
  const body = (await c.req.json()) as { records?: unknown[] };
  const n = Array.isArray(body.records) ? body.records.length : 0;
  return c.json({ accepted: n, duplicates: 0 }, 202);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info: AddressInfo) => {
  console.log(JSON.stringify({ msg: 'bare hono listening', url: `http://127.0.0.1:${info.port}` }));
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

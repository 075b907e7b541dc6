#!/usr/bin/env node
// `npm start` / `npm run start:gateway` / `npm run start:worker` / `npm run cli`: installs
// dependencies if they are missing, makes sure Redis answers (starting a private redis-server when the default
// address does not answer and one is installed), then runs src/main.ts with the given role.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const role = process.argv[2] ?? 'all';
const dataDir = path.resolve(root, process.env.DATA_DIR ?? 'data');

function say(msg) {
  process.stderr.write(`[start] ${msg}\n`);
}

function ensureDependencies() {
  if (fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) return;
  say('dependencies missing: running npm ci');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    say('npm ci failed; see above');
    process.exit(r.status ?? 1);
  }
}

function answers(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function ensureRedis() {
  if (process.env.REDIS_URL) return null; // the operator chose: the process reports if it does not answer
  if (await answers('127.0.0.1', 6379)) return null;
  if (!onPath('redis-server')) {
    say('Redis does not answer at redis://127.0.0.1:6379 and redis-server is not installed.');
    say('Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:port.');
    process.exit(1);
  }
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const sock = path.join(dir, 'redis.sock');
  say(`starting a private redis-server (data in ${path.relative(root, dir)})`);
  const child = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      sock,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; i < 50 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  if (!fs.existsSync(sock)) {
    say('the private redis-server did not start');
    child.kill();
    process.exit(1);
  }
  process.env.REDIS_URL = `unix://${sock}`;
  return child;
}

ensureDependencies();
if (role === 'cli') {
  // `npm run cli -- …` works on a fresh clone too, before the first `npm start`; the demo runs
  // the product's workers, so it needs Redis like `npm start`.
  const privateRedis = process.argv[3] === 'demo' ? await ensureRedis() : null;
  const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli.ts'), ...process.argv.slice(3)], {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  });
  if (privateRedis) privateRedis.kill('SIGTERM');
  process.exit(cli.status ?? 1);
}
const redis = await ensureRedis();
// A gateway-only process holds no data of its own: capping V8's old space keeps repeated
// 10,000-row exports near 220 MiB instead of letting the heap grow to ~3× what survives a GC
// (bench/RESULTS.md, attendance workbook export). A worker-only process the same, and a smaller
// young generation: its batch work (a ledger pass, a 30,000-member verification) keeps about
// 40 MB live and makes garbage by the batch; with both its peak stays under 300 MB, at the same
// speed (bench/RESULTS.md, verification). NODE_OPTIONS with its own limit wins.
const HEAP_FLAGS = { gateway: ['--max-old-space-size=1024'], worker: ['--max-old-space-size=1024', '--max-semi-space-size=8'] };
const heapCap = HEAP_FLAGS[role] && !/max-old-space-size/.test(process.env.NODE_OPTIONS ?? '') ? HEAP_FLAGS[role] : [];
const app = spawn(process.execPath, [...heapCap, '--import', 'tsx', path.join(root, 'src', 'main.ts'), role], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => app.kill(sig));
app.on('exit', (code, signal) => {
  if (redis) redis.kill('SIGTERM');
  process.exit(code ?? (signal ? 1 : 0));
});

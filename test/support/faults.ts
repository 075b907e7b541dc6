/**
 * @module Fault injection for integration tests: a private `redis-server` that can be killed and
 * restarted on the same port, and a TCP proxy in front of Postgres that can refuse or black-hole
 * connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A TCP port that was free a moment ago (listen on 0, read, close). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Sends PING and resolves true on +PONG (no client library: this must work while ioredis is reconnecting). */
function pingRedis(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    s.on('error', () => done(false));
  });
}

/** A throw-away `redis-server` (no persistence) on a fixed port, killable and restartable. */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** Starts the server on the same port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.proc) return;
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    this.proc = proc;
    proc.once('exit', () => {
      if (this.proc === proc) this.proc = null;
    });
    const until = Date.now() + 10_000;
    while (!(await pingRedis(this.port))) {
      if (!this.proc) throw new Error(`redis-server on port ${this.port} exited at start`);
      if (Date.now() > until) throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: the abrupt failure (no shutdown handshake), and waits for the process to be gone. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
    this.proc = null;
  }
}

/**
 * A TCP proxy to `target`. `refuse()` destroys every proxied socket and stops listening (new
 * connections get ECONNREFUSED); `blackhole()` destroys every proxied socket and then accepts
 * connections but never answers (a network partition); `restore()` forwards again on the same port.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private mode: 'forward' | 'blackhole' = 'forward';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const p = new TcpProxy(target);
    await p.listen(0);
    return p;
  }

  private track(s: net.Socket) {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  private async listen(port: number): Promise<void> {
    const server = net.createServer((client) => {
      this.track(client);
      if (this.mode === 'blackhole') {
        client.pause(); // accepted, never answered
        return;
      }
      const upstream = net.connect(this.target);
      this.track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  private destroyAll() {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Kills every proxied connection and stops accepting: the store is down. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.destroyAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Kills every proxied connection; new ones are accepted and never answered. */
  async blackhole(): Promise<void> {
    this.mode = 'blackhole';
    this.destroyAll();
    if (!this.server) await this.listen(this.port);
  }

  /** Forwards again, on the same port. */
  async restore(): Promise<void> {
    this.mode = 'forward';
    this.destroyAll(); // black-holed connections: their clients have given up by now
    if (!this.server) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.refuse();
  }
}

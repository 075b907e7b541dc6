/**
 * @module The evidence store: deliveries byte for byte and tracking records, append-only
 * (R-ATT-1). A record delivered twice (same event, source and platform id) is stored once.
 *
 * Group commit: calls that arrive while others are being written are written together, in one
 * statement (one round trip, one commit, one WAL flush for all of them), and each call resolves
 * only after that statement has committed. A statement is atomic, so a group is stored whole or
 * not at all; when the server rejects a group (a constraint or a value of one call), every call
 * of it is written again on its own, so that one bad call fails alone. Under light load a call
 * is written on its own at once; under heavy load the groups grow, which is what lets a gateway
 * accept thousands of single-record requests a second on one Postgres connection or two.
 */
import type { WebinarRecord } from '../schemas/ingest.ts';
import type { Queryable } from './db.ts';

export interface Delivery {
  source: string;
  receivedAt: Date;
  clientAddr: string | null;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Signature check result, for sources that sign (Zoom). */
  verification?: Record<string, unknown> | null;
}

export interface StoredRecord {
  record: WebinarRecord;
  /** Set by corrections and uploads, which name the member directly. */
  memberId?: string | null;
  author?: string | null;
  reason?: string | null;
}

export interface WriteResult {
  accepted: number;
  duplicates: number;
  deliveryId: number;
}

/** How calls are grouped: statements in flight per database, and the size of one group. */
export const GROUP_COMMIT = {
  /** Group statements running at once (each holds a connection; the pool has 10 by default). */
  maxInFlight: 3,
  /**
   * A second or third statement starts beside a running one only for at least this many pending
   * records: small calls wait for the running statement and go together (one commit for all),
   * big ones run in parallel on another connection (and CPU).
   */
  minParallelRecords: 50,
  maxCalls: 500,
  maxRecords: 5000,
  /** Request bodies in one statement. */
  maxBodyBytes: 8 * 1024 * 1024,
};

/**
 * Stores a delivery and its records. Resolves only after COMMIT: a 2xx sent after it means the
 * evidence is durable (ARCHITECTURE principle 4). Without an event (a Zoom webinar with no event
 * yet) only the delivery is kept.
 *
 * @example
 * const { accepted, duplicates } = await storeEvidence(db, eventId, delivery, records.map((record) => ({ record })));
 * @rule R-ATT-1
 */
export function storeEvidence(db: Queryable, eventId: string | null, delivery: Delivery, records: readonly StoredRecord[]): Promise<WriteResult> {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new GroupWriter(db)));
  return w.write({ eventId, delivery, records });
}

interface Call {
  eventId: string | null;
  delivery: Delivery;
  records: readonly StoredRecord[];
}

interface Pending extends Call {
  resolve(r: WriteResult): void;
  reject(err: unknown): void;
}

const writers = new WeakMap<Queryable, GroupWriter>();

class GroupWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly db: Queryable) {}

  write(call: Call): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ ...call, resolve, reject });
      this.schedule();
    });
  }

  /** On the next turn of the event loop, so that calls arriving in this one share a statement. */
  private schedule() {
    if (this.scheduled || this.inFlight >= GROUP_COMMIT.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < GROUP_COMMIT.maxInFlight && this.queue.length) {
        const pendingRecords = this.queue.reduce((n, c) => n + Math.max(1, c.records.length), 0);
        if (this.inFlight > 0 && pendingRecords < GROUP_COMMIT.minParallelRecords) break;
        // Share the pending work among the free statements, none smaller than the threshold.
        const free = GROUP_COMMIT.maxInFlight - this.inFlight;
        const group = this.take(Math.max(GROUP_COMMIT.minParallelRecords, Math.ceil(pendingRecords / free)));
        this.inFlight++;
        void this.run(group).finally(() => {
          this.inFlight--;
          this.schedule();
        });
      }
    });
  }

  /** Calls from the head of the queue, up to about `targetRecords` records and the caps. */
  private take(targetRecords: number): Pending[] {
    const group: Pending[] = [];
    let records = 0;
    let bytes = 0;
    while (this.queue.length) {
      const next = this.queue[0]!;
      const r = Math.max(1, next.records.length);
      const b = next.delivery.body.byteLength;
      if (
        group.length &&
        (records >= targetRecords || group.length >= GROUP_COMMIT.maxCalls || records + r > GROUP_COMMIT.maxRecords || bytes + b > GROUP_COMMIT.maxBodyBytes)
      ) {
        break;
      }
      group.push(this.queue.shift()!);
      records += r;
      bytes += b;
    }
    return group;
  }

  private async run(group: Pending[]) {
    try {
      const results = await writeGroup(this.db, group);
      group.forEach((c, i) => c.resolve(results[i]!));
    } catch (err) {
      // The statement changed nothing. Each call alone, so that only a bad one fails; a deadlock
      // (two groups storing the same records in another order) is simply written again.
      if (rejectedByServer(err) && (group.length > 1 || /^40/.test(String((err as { code?: unknown }).code)))) {
        await Promise.all(group.map((c) => writeGroup(this.db, [c]).then((r) => c.resolve(r[0]!), c.reject)));
      } else {
        for (const c of group) c.reject(err);
      }
    }
  }
}

/**
 * An error the server answered for the statement (SQLSTATE), as opposed to a lost connection
 * or an unavailable server, where whether the statement committed is unknown and nothing may be
 * written again blindly.
 */
function rejectedByServer(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57|58|XX)/.test(code);
}

/**
 * One statement for the whole group: delivery ids are drawn first so that each record row can
 * name its delivery, then deliveries (their bodies as binary parameters, $3 on) and records are
 * inserted and the records actually stored are counted per delivery. Records are inserted in call order, so that when two calls of a group
 * carry the same record the earlier one stores it and the later one sees a duplicate.
 */
const groupSql = (calls: number) => `
WITH d_in AS MATERIALIZED (
  SELECT x.n, nextval(pg_get_serial_sequence('deliveries', 'id')) AS id, x.source, x.received_at, x.client_addr, x.headers, x.verification
  FROM jsonb_to_recordset($1::jsonb) AS x(n int, source text, received_at timestamptz, client_addr text, headers jsonb, verification jsonb)
),
d AS (
  INSERT INTO deliveries (id, source, received_at, client_addr, headers, body, verification) OVERRIDING SYSTEM VALUE
  SELECT d_in.id, d_in.source, d_in.received_at, d_in.client_addr, d_in.headers, b.body, d_in.verification
  FROM d_in JOIN (VALUES ${Array.from({ length: calls }, (_, n) => `(${n}, $${n + 3}::bytea)`).join(', ')}) AS b(n, body) ON b.n = d_in.n
),
r AS (
  INSERT INTO tracking_records (event_id, source, source_record_id, kind, occurred_at, registrant_id, participant_user_id, email,
    display_name, connection_id, member_id, raw, delivery_id, received_at, client_addr, author, reason)
  SELECT y.event_id, d_in.source, y.source_record_id, y.kind, y.occurred_at, y.registrant_id, y.participant_user_id, y.email,
         y.display_name, y.connection_id, y.member_id, y.raw, d_in.id, d_in.received_at, d_in.client_addr, y.author, y.reason
  FROM jsonb_to_recordset($2::jsonb) AS y(i int, n int, event_id uuid, source_record_id text, kind text, occurred_at timestamptz,
    registrant_id text, participant_user_id text, email text, display_name text, connection_id text, member_id uuid, raw jsonb,
    author text, reason text)
  JOIN d_in ON d_in.n = y.n
  ORDER BY y.i
  ON CONFLICT (event_id, source, source_record_id) DO NOTHING
  RETURNING delivery_id
)
SELECT d_in.n, d_in.id, coalesce(c.accepted, 0)::int AS accepted
FROM d_in LEFT JOIN (SELECT delivery_id, count(*) AS accepted FROM r GROUP BY delivery_id) c ON c.delivery_id = d_in.id
ORDER BY d_in.n`;

async function writeGroup(db: Queryable, calls: readonly Call[]): Promise<WriteResult[]> {
  const deliveries = calls.map(({ delivery: d }, n) => ({
    n,
    source: d.source,
    received_at: d.receivedAt.toISOString(),
    client_addr: d.clientAddr,
    headers: d.headers,
    // Absent rather than JSON null: a jsonb column of jsonb_to_recordset keeps a JSON null as such.
    ...(d.verification ? { verification: d.verification } : {}),
  }));
  const rows: Array<Record<string, unknown>> = [];
  calls.forEach(({ eventId, records }, n) => {
    if (!eventId) return;
    for (const { record: r, memberId, author, reason } of records) {
      rows.push({
        i: rows.length,
        n,
        event_id: eventId,
        source_record_id: r.id,
        kind: r.type,
        occurred_at: new Date(r.at).toISOString(),
        registrant_id: r.participant?.registrantId ?? null,
        participant_user_id: r.participant?.participantUserId ?? null,
        email: r.participant?.email?.toLowerCase() ?? null,
        display_name: r.participant?.name ?? null,
        connection_id: r.participant?.connectionId ?? null,
        member_id: memberId ?? null,
        raw: r,
        author: author ?? null,
        reason: reason ?? null,
      });
    }
  });
  const bodies = calls.map(({ delivery: d }) => (Buffer.isBuffer(d.body) ? d.body : Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength)));
  const { rows: out } = await db.query<{ n: number; id: number; accepted: number }>(groupSql(calls.length), [
    JSON.stringify(deliveries),
    JSON.stringify(rows),
    ...bodies,
  ]);
  if (out.length !== calls.length) throw new Error(`evidence group write returned ${out.length} rows for ${calls.length} deliveries`);
  return calls.map(({ eventId, records }, n) => {
    const row = out[n]!;
    const sent = eventId ? records.length : 0;
    return { accepted: row.accepted, duplicates: sent - row.accepted, deliveryId: Number(row.id) };
  });
}

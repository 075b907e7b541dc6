/**
 * @module The evidence store: deliveries byte for byte and tracking records, append-only
 * (R-ATT-1). A record delivered twice (same event, source and platform id) is stored once.
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

/**
 * Stores a delivery and its records in one transaction. Resolves only after COMMIT: a 2xx sent
 * after it means the evidence is durable (ARCHITECTURE principle 4).
 */
export async function storeEvidence(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  eventId: string | null,
  delivery: Delivery,
  records: readonly StoredRecord[],
): Promise<WriteResult> {
  return db.transaction(async (tx) => {
    const d = await tx.query<{ id: number }>(
      `INSERT INTO deliveries (source, received_at, client_addr, headers, body, verification)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [delivery.source, delivery.receivedAt, delivery.clientAddr, JSON.stringify(delivery.headers), Buffer.from(delivery.body), delivery.verification ? JSON.stringify(delivery.verification) : null],
    );
    const deliveryId = d.rows[0]!.id;
    if (!eventId || records.length === 0) return { accepted: 0, duplicates: 0, deliveryId };
    const rows = records.map(({ record: r, memberId, author, reason }) => ({
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
    }));
    const ins = await tx.query(
      `INSERT INTO tracking_records (event_id, source, source_record_id, kind, occurred_at, registrant_id,
         participant_user_id, email, display_name, connection_id, member_id, raw, delivery_id, received_at,
         client_addr, author, reason)
       SELECT $1, $2, x.source_record_id, x.kind, x.occurred_at, x.registrant_id, x.participant_user_id, x.email,
              x.display_name, x.connection_id, x.member_id, x.raw, $3, $4, $5, x.author, x.reason
       FROM jsonb_to_recordset($6::jsonb) AS x(source_record_id text, kind text, occurred_at timestamptz,
         registrant_id text, participant_user_id text, email text, display_name text, connection_id text,
         member_id uuid, raw jsonb, author text, reason text)
       ON CONFLICT (event_id, source, source_record_id) DO NOTHING`,
      [eventId, delivery.source, deliveryId, delivery.receivedAt, delivery.clientAddr, JSON.stringify(rows)],
    );
    return { accepted: ins.rowCount, duplicates: records.length - ins.rowCount, deliveryId };
  });
}

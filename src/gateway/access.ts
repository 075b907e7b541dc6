/** @module Who may see or act on an event: owner organiser, accrediting CPO, CN, admin. */
import type { Queryable } from '../store/db.ts';
import type { Principal } from './auth.ts';
import { ApiError } from './problem.ts';

export interface EventAccessRow {
  id: string;
  organiser_id: string;
  cpo_province: string;
  start_at: Date;
  end_at: Date;
  tolerance_minutes: number;
  closed_at: Date | null;
}

/** Loads the event if `p` may see it; anyone else gets 404 so ids do not leak. */
export async function visibleEvent(db: Queryable, p: Principal, eventId: string): Promise<EventAccessRow> {
  const { rows } = await db.query<EventAccessRow>(
    'SELECT id, organiser_id, cpo_province, start_at, end_at, tolerance_minutes, closed_at FROM events WHERE id = $1',
    [eventId],
  );
  const e = rows[0];
  if (!e || !canSee(p, e)) throw new ApiError(404, 'event-not-found');
  return e;
}

export function canSee(p: Principal, e: Pick<EventAccessRow, 'organiser_id' | 'cpo_province'>): boolean {
  switch (p.role) {
    case 'organiser':
    case 'platform':
      return p.subject === e.organiser_id;
    case 'cpo':
      return p.subject === e.cpo_province;
    case 'cn':
    case 'admin':
      return true;
  }
}

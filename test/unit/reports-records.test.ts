import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTextDuration } from '../../adapters/webinar/reports/duration.ts';
import type { ReportInterval } from '../../adapters/webinar/reports/interval.ts';
import { resolveBoundaries } from '../../adapters/webinar/reports/presence.ts';
import { detectDateOrder, readRomeLocal } from '../../adapters/webinar/reports/rome-local.ts';
import { decodeReportBytes } from '../../adapters/webinar/reports/text-decoding.ts';
import { intervalsToRecords, personKey } from '../../adapters/webinar/reports/records.ts';
import { parseTeamsAttendanceCsv, parseTeamsGraphAttendance } from '../../adapters/webinar/reports/teams.ts';
import { parseWebexParticipants } from '../../adapters/webinar/reports/webex.ts';
import { parseZoomParticipantsJson } from '../../adapters/webinar/reports/zoom-report.ts';
import { romeLocalToUtc } from '../../src/domain/calendar.ts';
import { pairIntervals, type EvidenceRecord } from '../../src/domain/participants.ts';
import { WebinarRecord } from '../../src/schemas/ingest.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/reports/${name}`, import.meta.url));
const ms = (iso: string) => Date.parse(iso);

function evidence(records: readonly WebinarRecord[]): EvidenceRecord[] {
  return records.map((r) => ({
    kind: r.type,
    at: ms(r.at),
    registrantId: r.participant?.registrantId ?? null,
    participantUserId: r.participant?.participantUserId ?? null,
    email: r.participant?.email ?? null,
    connectionId: r.participant?.connectionId ?? null,
  }));
}

describe('intervalsToRecords', () => {
  const teams = () => parseTeamsAttendanceCsv(fixture('teams/attendance-en-gb.csv'));

  it('maps each interval to a join and a leave record that validate as WebinarRecord; a guest without identifiers is not mapped', () => {
    const { records, notMapped } = intervalsToRecords(teams().intervals);
    expect(records).toHaveLength(10); // 5 identified intervals × (join + leave)
    for (const r of records) expect(WebinarRecord.safeParse(r).success).toBe(true);
    expect(notMapped.map((n) => [n.code, n.interval.name])).toEqual([['no-identity', 'Giulia Verdi (Guest)']]);
    const maria = records.filter((r) => r.participant?.email === 'maria.rossi@studiorossi.example.it');
    expect(maria.map((r) => [r.type, r.at])).toEqual([
      ['join', '2026-03-10T13:58:03.000Z'],
      ['leave', '2026-03-10T14:47:30.000Z'],
      ['join', '2026-03-10T15:05:50.000Z'],
      ['leave', '2026-03-10T16:00:12.000Z'],
    ]);
    // Email and UPN on the same record, so derivation knows they are one person.
    expect(maria[0]!.participant).toMatchObject({
      email: 'maria.rossi@studiorossi.example.it',
      participantUserId: 'm.rossi@studiorossi.onmicrosoft.com',
      name: 'Rossi, Maria',
    });
    expect(maria[0]!.id).toMatch(/^teams-csv:join:[0-9a-f]{64}$/);
  });

  it('ids are deterministic: the same report uploaded again (in any row order) gives the same ids', () => {
    const first = intervalsToRecords(teams().intervals).records;
    const again = intervalsToRecords(teams().intervals).records;
    expect(again).toEqual(first);
    const reversed = intervalsToRecords([...teams().intervals].reverse()).records;
    expect(new Set(reversed.map((r) => r.id))).toEqual(new Set(first.map((r) => r.id)));
    expect(new Set(first.map((r) => r.id)).size).toBe(first.length);
    // A hard-coded id: changing the id scheme would duplicate every report already stored.
    expect(first[0]!.id).toBe('teams-csv:join:5a389e4714378df5eae4ec4635384caae7474fa444ede07532a1c3501df0b817');
  });

  it('identical rows stay distinct records; a scope changes every id', () => {
    const one = teams().intervals[1]!;
    const twice = intervalsToRecords([one, { ...one }]).records;
    expect(new Set(twice.map((r) => r.id)).size).toBe(4);
    const scoped = intervalsToRecords([one], { scope: 'meeting-2' }).records;
    expect(scoped.map((r) => r.id)).not.toEqual(intervalsToRecords([one]).records.map((r) => r.id));
  });

  it('a later export that fills in a missing leave reuses the join id (stored once) and adds the leave', () => {
    const open: ReportInterval = { ...teams().intervals[1]!, leave: null };
    const closed = teams().intervals[1]!;
    const before = intervalsToRecords([open]).records;
    const after = intervalsToRecords([closed]).records;
    expect(before).toHaveLength(1);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect(after[0]!.participant?.connectionId).toBe(before[0]!.participant?.connectionId);
    expect(after[1]!.type).toBe('leave');
  });

  it('connection ids pair each interval exactly in derivation (pairIntervals), reconnects included', () => {
    const { records } = intervalsToRecords(teams().intervals);
    const maria = records.filter((r) => r.participant?.email === 'maria.rossi@studiorossi.example.it');
    expect(pairIntervals(evidence(maria))).toEqual({
      intervals: [
        { join: ms('2026-03-10T13:58:03Z'), leave: ms('2026-03-10T14:47:30Z') },
        { join: ms('2026-03-10T15:05:50Z'), leave: ms('2026-03-10T16:00:12Z') },
      ],
      unpairedLeaves: 0,
    });
  });

  it('unknown boundaries: a lone join is an open interval, a lone leave an unpaired leave; neither boundary → not mapped', () => {
    const webex = parseWebexParticipants(fixture('webex/participants.json'));
    const { records, notMapped } = intervalsToRecords(webex.intervals);
    expect(notMapped).toEqual([]);
    const luca = records.filter((r) => r.participant?.email === 'luca.bianchi@example.it');
    expect(luca.map((r) => r.type)).toEqual(['leave']);
    expect(pairIntervals(evidence(luca))).toEqual({ intervals: [], unpairedLeaves: 1 });
    const anna = records.filter((r) => r.participant?.email === 'anna.esposito@example.it');
    expect(pairIntervals(evidence(anna))).toEqual({ intervals: [{ join: ms('2026-03-10T13:59:59Z'), leave: null }], unpairedLeaves: 0 });

    const graph = parseTeamsGraphAttendance(fixture('teams/attendance-records.json'));
    const mapped = intervalsToRecords(graph.intervals, { meetingEnd: graph.meta.meetingEnd! });
    expect(mapped.notMapped.map((n) => [n.code, n.interval.email ?? n.interval.name])).toEqual([
      ['no-identity', 'Giulia Verdi (Guest)'],
      ['no-instants', 'luca.bianchi@example.it'],
    ]);
    const end = mapped.records.filter((r) => r.type === 'meeting-end');
    expect(end).toEqual([{ id: expect.stringMatching(/^teams-graph:meeting-end:[0-9a-f]{64}$/), type: 'meeting-end', at: '2026-03-10T16:03:41.555Z' }]);
  });

  it('person key prefers registrant id, then platform user id, then UPN, then e-mail; Zoom user_id is never an identity', () => {
    const zoom = parseZoomParticipantsJson(fixture('zoom/participants-report.json'));
    expect(zoom.intervals.map(personKey)).toEqual([
      'r:U0BBBBBBBBBBfrUz1Q',
      'r:U0BBBBBBBBBBfrUz1Q',
      'r:9tboDiHUQAeOnbmudzWa5g',
      undefined,
      'u:ZqM0fJYQRmOeQx3a1bCdEf',
    ]);
    const { records } = intervalsToRecords(zoom.intervals);
    for (const r of records) expect(r.participant?.connectionId?.startsWith('rpt:')).toBe(true);
    expect(records[0]!.participant).toMatchObject({
      registrantId: 'U0BBBBBBBBBBfrUz1Q',
      participantUserId: 'iFxeBPYun6SAiWUzBcEkX',
      email: 'maria.rossi@example.it',
    });
  });
});

describe('report helpers', () => {
  const anyMinute = fc.integer({ min: Date.UTC(2025, 0, 1) / 60_000, max: Date.UTC(2028, 11, 31) / 60_000 });
  /** 00:00–04:00 (as wall-clock fields) on the nights the clocks change, so gaps and folds are drawn often. */
  const dstNightMinute = fc
    .tuple(
      fc.constantFrom('2025-03-30', '2025-10-26', '2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31', '2028-03-26', '2028-10-29'),
      fc.integer({ min: 0, max: 240 }),
    )
    .map(([day, m]) => Date.parse(`${day}T00:00:00Z`) / 60_000 + m);

  it('Rome wall-clock reading agrees with romeLocalToUtc wherever the time exists (first occurrence in the fold)', () => {
    fc.assert(
      fc.property(fc.oneof(anyMinute, dstNightMinute), (minute) => {
        const d = new Date(minute * 60_000);
        const p = (n: number) => String(n).padStart(2, '0');
        // Any wall-clock reading, built from UTC fields so gaps and folds are both drawn.
        const local = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:00`;
        const text = `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}, ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:00`;
        const ours = readRomeLocal(text, 'dmy');
        const reference = romeLocalToUtc(local).getTime();
        if (ours.ok) expect(ours.candidates[0]).toBe(reference);
        else {
          expect(ours.code).toBe('time-nonexistent');
          expect(d.getUTCMonth()).toBe(2); // only in March, on the spring-forward night
          expect(d.getUTCHours()).toBe(2);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('DST edges on the Rome calendar, exactly', () => {
    expect(readRomeLocal('25/10/26, 02:30:00', 'dmy')).toEqual({ ok: true, candidates: [ms('2026-10-25T00:30:00Z'), ms('2026-10-25T01:30:00Z')] });
    expect(readRomeLocal('25/10/26, 01:59:59', 'dmy')).toEqual({ ok: true, candidates: [ms('2026-10-24T23:59:59Z')] });
    expect(readRomeLocal('25/10/26, 03:00:00', 'dmy')).toEqual({ ok: true, candidates: [ms('2026-10-25T02:00:00Z')] });
    expect(readRomeLocal('29/03/26, 01:59:59', 'dmy')).toEqual({ ok: true, candidates: [ms('2026-03-29T00:59:59Z')] });
    expect(readRomeLocal('29/03/26, 02:00:00', 'dmy')).toEqual({ ok: false, code: 'time-nonexistent' });
    expect(readRomeLocal('29/03/26, 03:00:00', 'dmy')).toEqual({ ok: true, candidates: [ms('2026-03-29T01:00:00Z')] });
    expect(readRomeLocal('3/29/26, 3:00:00 AM', 'mdy')).toEqual({ ok: true, candidates: [ms('2026-03-29T01:00:00Z')] });
  });

  it('reads the local formats the exports use, 12 AM/PM included, and refuses the rest', () => {
    const at = (t: string, o: 'dmy' | 'mdy' = 'dmy') => {
      const r = readRomeLocal(t, o);
      return r.ok ? new Date(r.candidates[0]!).toISOString() : r.code;
    };
    expect(at('15/11/22, 09:30:47')).toBe('2022-11-15T08:30:47.000Z');
    expect(at('11/15/22, 9:30:47 AM', 'mdy')).toBe('2022-11-15T08:30:47.000Z');
    expect(at('7/1/2026, 12:05:00 AM', 'mdy')).toBe('2026-06-30T22:05:00.000Z');
    expect(at('7/1/2026, 12:05:00 PM', 'mdy')).toBe('2026-07-01T10:05:00.000Z');
    expect(at('7/1/2026 12:05 p.m.', 'mdy')).toBe('2026-07-01T10:05:00.000Z');
    expect(at('01.07.2026 10:05')).toBe('2026-07-01T08:05:00.000Z');
    expect(at('2026-07-01 10:05:00')).toBe('2026-07-01T08:05:00.000Z');
    expect(at('Jul 1, 2026 10:05:00 AM')).toBe('2026-07-01T08:05:00.000Z');
    expect(at('31/02/26, 10:00:00')).toBe('time-unreadable');
    expect(at('13:00 yesterday')).toBe('time-unreadable');
    expect(at('7/1/2026, 13:05:00 PM', 'mdy')).toBe('time-unreadable');
    expect(at('01/01/1999, 10:00:00')).toBe('time-implausible');
  });

  it('resolveBoundaries is the documented rule', () => {
    const a = ms('2026-10-25T00:30:00Z');
    const b = ms('2026-10-25T01:30:00Z');
    expect(resolveBoundaries([a], [b], undefined, 2)).toEqual({ ok: true, join: a, leave: b, notes: [] });
    expect(resolveBoundaries([b], [a], undefined, 2)).toEqual({ ok: false, code: 'leave-before-join' });
    expect(resolveBoundaries([a, b], null, undefined, 2)).toEqual({ ok: true, join: a, leave: null, notes: ['fold-resolved-earliest'] });
    expect(resolveBoundaries(null, [a, b], undefined, 2)).toEqual({ ok: true, join: null, leave: a, notes: ['fold-resolved-earliest'] });
  });

  it('durations, date order and encodings', () => {
    expect(parseTextDuration('1h 30m 51s')).toBe(5451);
    expect(parseTextDuration('10m 59s')).toBe(659);
    expect(parseTextDuration('45s')).toBe(45);
    expect(parseTextDuration('2h')).toBe(7200);
    expect(parseTextDuration('1 h 5 min')).toBe(3900);
    expect(parseTextDuration('circa')).toBeUndefined();
    expect(parseTextDuration('')).toBeUndefined();
    expect(detectDateOrder(['10/03/26, 14:00:00'], 'dmy')).toBe('dmy');
    expect(detectDateOrder(['10/03/26, 14:00:00'], 'mdy')).toBe('mdy');
    expect(detectDateOrder(['10/03/26, 2:00:00 PM'], 'dmy')).toBe('mdy');
    expect(detectDateOrder(['10/03/26, 14:00:00', '15/03/26, 14:00:00'], 'mdy')).toBe('dmy');
    expect(decodeReportBytes(Buffer.from([0xc9, 0x20, 0x6f, 0x6b])).encoding).toBe('windows-1252');
    expect(decodeReportBytes(Buffer.from([0xc9, 0x20, 0x6f, 0x6b])).text).toBe('É ok');
    expect(decodeReportBytes(Buffer.from('a\r\nb\rc', 'utf8')).text).toBe('a\nb\nc');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReportFormatError } from '../../adapters/webinar/reports/codes.ts';
import { parseGotoAttendees } from '../../adapters/webinar/reports/goto.ts';
import { parseWebexParticipants } from '../../adapters/webinar/reports/webex.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/reports/${name}`, import.meta.url));

function formatCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ReportFormatError) return e.code;
    throw e;
  }
  return undefined;
}

describe('GoTo Webinar session attendees', () => {
  it('one interval per attendance[] entry; 19-digit registrantKeys stay exact when read from the raw bytes', () => {
    const r = parseGotoAttendees(fixture('goto/attendees.json'));
    expect(r.source).toBe('goto-api');
    expect(r.rejected).toEqual([]);
    expect(r.meta).toEqual({ sessionKeys: ['28398233'] });
    expect(
      r.intervals.map((i) => ({
        row: i.sourceRow,
        path: i.sourcePath,
        name: i.name,
        email: i.email,
        registrantId: i.registrantId,
        join: i.join,
        leave: i.leave,
      })),
    ).toEqual([
      {
        row: 1,
        path: '[0].attendance[0]',
        name: 'Maria Rossi',
        email: 'maria.rossi@example.it',
        registrantId: '8217834521748396034',
        join: '2026-03-10T13:58:03.000Z',
        leave: '2026-03-10T14:47:30.000Z',
      },
      {
        row: 1,
        path: '[0].attendance[1]',
        name: 'Maria Rossi',
        email: 'maria.rossi@example.it',
        registrantId: '8217834521748396034',
        join: '2026-03-10T15:05:50.000Z',
        leave: '2026-03-10T16:00:12.000Z',
      },
      {
        row: 2,
        path: '[1].attendance[0]',
        name: 'Luca Bianchi',
        email: 'luca.bianchi@example.it',
        registrantId: '6843221424380405001',
        join: '2026-03-10T14:01:45.000Z',
        leave: '2026-03-10T16:00:40.000Z',
      },
    ]);
    expect(r.skipped).toEqual([{ row: 3, path: '[2]', code: 'no-attendance', message: expect.any(String) }]);
  });

  it('an already parsed document has lost the long keys’ precision: the key is not used and the interval says why', () => {
    const parsed = JSON.parse(fixture('goto/attendees.json').toString('utf8')) as unknown;
    const r = parseGotoAttendees(parsed);
    expect(r.intervals[0]!.registrantId).toBeUndefined();
    expect(r.intervals[0]!.email).toBe('maria.rossi@example.it');
    expect(r.intervals[0]!.notes).toEqual(['registrant-key-imprecise']);
    // Safe integers and strings are kept.
    const ok = parseGotoAttendees({
      attendees: [{ registrantKey: 123456, email: 'x@example.it', attendance: [{ joinTime: 1773151200000, leaveTime: '2026-03-10T15:00:00Z' }] }],
    });
    expect(ok.intervals.map((i) => [i.registrantId, i.join, i.leave])).toEqual([['123456', '2026-03-10T14:00:00.000Z', '2026-03-10T15:00:00.000Z']]);
  });

  it('rejects bad attendance entries with a stable code and path', () => {
    const r = parseGotoAttendees([
      null,
      {
        registrantKey: '1',
        email: 'a@example.it',
        attendance: [
          'x',
          { joinTime: '2026-03-10T15:00:00Z', leaveTime: '2026-03-10T14:00:00Z' },
          { joinTime: '10/03/2026 15:00' },
          { joinTime: '2026-03-10T14:00:00Z' },
        ],
      },
    ]);
    expect(r.rejected.map((x) => [x.row, x.path, x.code])).toEqual([
      [1, '[0]', 'row-not-an-object'],
      [2, '[1].attendance[0]', 'row-not-an-object'],
      [2, '[1].attendance[1]', 'leave-before-join'],
      [2, '[1].attendance[2]', 'time-unreadable'],
    ]);
    expect(r.intervals.map((i) => [i.join, i.leave])).toEqual([['2026-03-10T14:00:00.000Z', null]]);
  });

  it('throws for a document that is not an attendee list', () => {
    expect(formatCode(() => parseGotoAttendees({ registrants: [] }))).toBe('report-shape-unrecognised');
    expect(formatCode(() => parseGotoAttendees('nope'))).toBe('report-not-json');
  });
});

describe('Webex meeting participants', () => {
  it('one interval per devices[] entry; the 1970 sentinel is an unknown boundary (null), not 1970', () => {
    const r = parseWebexParticipants(fixture('webex/participants.json'));
    expect(r.source).toBe('webex-api');
    expect(r.rejected).toEqual([]);
    expect(r.meta).toEqual({ meetingIds: ['560d7b784f5143e3be2fc3064a5c4999_I_204252993233618782'] });
    expect(
      r.intervals.map((i) => ({
        row: i.sourceRow,
        path: i.sourcePath,
        email: i.email,
        role: i.role,
        conn: i.connectionRef,
        join: i.join,
        leave: i.leave,
        notes: i.notes,
      })),
    ).toEqual([
      {
        row: 1,
        path: 'items[0].devices[0]',
        email: 'formazione@ente-formatore.example.it',
        role: 'host',
        conn: '8ccced6c-b812-4dff-a5dd-4c5c28f8d47d',
        join: '2026-03-10T13:52:10.000Z',
        leave: '2026-03-10T16:03:41.000Z',
        notes: [],
      },
      {
        row: 2,
        path: 'items[1].devices[0]',
        email: 'maria.rossi@example.it',
        role: undefined,
        conn: '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
        join: '2026-03-10T13:58:03.000Z',
        leave: '2026-03-10T14:47:30.000Z',
        notes: [],
      },
      {
        row: 2,
        path: 'items[1].devices[1]',
        email: 'maria.rossi@example.it',
        role: undefined,
        conn: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
        join: '2026-03-10T15:05:50.000Z',
        leave: '2026-03-10T16:00:12.000Z',
        notes: [],
      },
      {
        row: 3,
        path: 'items[2].devices[0]',
        email: 'luca.bianchi@example.it',
        role: undefined,
        conn: '0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f',
        join: null,
        leave: '2026-03-10T16:00:40.000Z',
        notes: ['join-unknown-sentinel'],
      },
      // No devices[]: the participant's own joinedTime/leftTime.
      {
        row: 4,
        path: 'items[3]',
        email: 'anna.esposito@example.it',
        role: 'cohost',
        conn: undefined,
        join: '2026-03-10T13:59:59.000Z',
        leave: null,
        notes: ['leave-unknown-sentinel'],
      },
    ]);
    expect(r.intervals[1]!.userId).toBe('560d7b784f5143e3be2fc3064a5c4999_I_204252993233618782_a8a1c7e0-2b7f-36f4-8f21-0c4b2d9e6a01');
    // devices[].durationSecond (ended meetings) is the interval's own stated duration; a device
    // entry without it (unknown join) and a participant without devices state none.
    expect(r.intervals.map((i) => i.reportedSeconds)).toEqual([7891, 2967, 3262, undefined, undefined]);
    expect(r.skipped).toEqual([{ row: 5, path: 'items[4]', code: 'lobby', message: expect.any(String) }]);
  });

  it('any spelling of the epoch is the sentinel; other pre-2000 instants are rejected', () => {
    const r = parseWebexParticipants([
      { email: 'a@example.it', joinedTime: '1970-01-01T00:00:00Z', leftTime: '1970-01-01T00:00:00+00:00' },
      { email: 'b@example.it', joinedTime: '1970-01-01T00:00:01.000Z', leftTime: '2026-03-10T15:00:00Z' },
      { email: 'c@example.it', joinedTime: '2026-03-10T15:00:00Z', leftTime: '2026-03-10T14:59:59Z' },
      { email: 'd@example.it', devices: [7] },
    ]);
    expect(r.intervals.map((i) => [i.email, i.join, i.leave, i.notes])).toEqual([
      ['a@example.it', null, null, ['join-unknown-sentinel', 'leave-unknown-sentinel']],
    ]);
    expect(r.rejected.map((x) => [x.row, x.path, x.code])).toEqual([
      [2, 'items[1]', 'time-implausible'],
      [3, 'items[2]', 'leave-before-join'],
      [4, 'items[3].devices[0]', 'row-not-an-object'],
    ]);
  });

  it('the device entries have the documented shape of an ended meeting: durationSecond, callType for PSTN', () => {
    const doc = JSON.parse(fixture('webex/participants.json').toString('utf8')) as { items: Array<{ devices?: Array<Record<string, unknown>> }> };
    const devices = doc.items.flatMap((p) => p.devices ?? []);
    for (const d of devices) {
      expect(
        Object.keys(d).filter(
          (k) => !['correlationId', 'deviceType', 'audioType', 'joinedTime', 'leftTime', 'durationSecond', 'callType', 'phoneNumber'].includes(k),
        ),
      ).toEqual([]);
      if (d.joinedTime !== '1970-01-01T00:00:00.000Z') expect(typeof d.durationSecond).toBe('number');
      if (d.audioType === 'pstn') expect(d.callType).toBe('callIn');
    }
  });

  it('a durationSecond that is not a non-negative number is ignored and noted', () => {
    const r = parseWebexParticipants([
      {
        email: 'a@example.it',
        devices: [
          { correlationId: 'c1', joinedTime: '2026-03-10T14:00:00Z', leftTime: '2026-03-10T15:00:00Z', durationSecond: '3600' },
          { correlationId: 'c2', joinedTime: '2026-03-10T15:10:00Z', leftTime: '2026-03-10T15:20:00Z', durationSecond: -1 },
          { correlationId: 'c3', joinedTime: '2026-03-10T15:30:00Z', leftTime: '2026-03-10T15:40:00Z', durationSecond: 600 },
        ],
      },
    ]);
    expect(r.rejected).toEqual([]);
    expect(r.intervals.map((i) => [i.connectionRef, i.reportedSeconds, i.notes])).toEqual([
      ['c1', undefined, ['duration-unreadable']],
      ['c2', undefined, ['duration-unreadable']],
      ['c3', 600, []],
    ]);
  });

  it('throws for a document that is not a participants list', () => {
    expect(formatCode(() => parseWebexParticipants({ meetings: [] }))).toBe('report-shape-unrecognised');
  });
});

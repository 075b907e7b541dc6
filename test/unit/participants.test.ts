/** Grouping records into people and pairing joins with leaves (R-ATT-1, R-ATT-6, R-ATT-7). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupParticipants, pairIntervals, type EvidenceRecord } from '../../src/domain/participants.ts';

const T0 = Date.UTC(2026, 10, 20, 13, 0);
const min = (m: number) => T0 + m * 60_000;

describe('groupParticipants (R-ATT-7)', () => {
  it('matches a participant known only by its registrant id', () => {
    const records: EvidenceRecord[] = [
      { kind: 'join', at: min(0), registrantId: 'r1', connectionId: 'c1' },
      { kind: 'leave', at: min(180), registrantId: 'r1', connectionId: 'c1' },
    ];
    const g = groupParticipants(records, [{ memberId: 'm1', registrantId: 'r1' }]);
    expect(g.participants).toHaveLength(1);
    expect(g.participants[0]).toMatchObject({ key: 'member:m1', memberId: 'm1', matchedBy: ['registrant-id'] });
    expect(g.participants[0]!.records).toHaveLength(2);
  });

  it('matches e-mail case-insensitively and joins identifiers seen together on one record', () => {
    const records: EvidenceRecord[] = [
      { kind: 'join', at: min(0), email: 'Anna.Rossi@Example.IT', participantUserId: 'u9', connectionId: 'c1' },
      // A rejoin that only carries the stable platform user id: same person.
      { kind: 'join', at: min(50), participantUserId: 'u9', connectionId: 'c2' },
    ];
    const g = groupParticipants(records, [{ memberId: 'm1', email: 'anna.rossi@example.it' }]);
    expect(g.participants.map((p) => [p.memberId, p.records.length, p.matchedBy])).toEqual([['m1', 2, ['email']]]);
  });

  it('never credits a participant whose identifiers reach two members', () => {
    const records: EvidenceRecord[] = [{ kind: 'join', at: min(0), registrantId: 'r1', email: 'b@x.it' }];
    const g = groupParticipants(records, [
      { memberId: 'm1', registrantId: 'r1' },
      { memberId: 'm2', email: 'b@x.it' },
    ]);
    expect(g.participants).toEqual([expect.objectContaining({ memberId: null, conflictingMembers: ['m1', 'm2'] })]);
  });

  it('keeps unmatched participants apart, keyed by their most stable identifier', () => {
    const records: EvidenceRecord[] = [
      { kind: 'join', at: min(0), email: 'guest@x.it' },
      { kind: 'join', at: min(0), participantUserId: 'u1' },
    ];
    const g = groupParticipants(records, [{ memberId: 'm1', registrantId: 'r1' }]);
    expect(g.participants.map((p) => p.key)).toEqual(['email:guest@x.it', 'user:u1']);
  });

  it('takes the latest meeting-end (R-ATT-6)', () => {
    const g = groupParticipants(
      [
        { kind: 'meeting-end', at: min(170) },
        { kind: 'meeting-end', at: min(181) },
      ],
      [],
    );
    expect(g.meetingEnd).toBe(min(181));
  });

  it('does not depend on arrival order (Zoom retries)', () => {
    const base: EvidenceRecord[] = [
      { kind: 'join', at: min(0), registrantId: 'r1', connectionId: 'a' },
      { kind: 'leave', at: min(40), registrantId: 'r1', connectionId: 'a' },
      { kind: 'join', at: min(45), registrantId: 'r1', email: 'p@x.it', connectionId: 'b' },
      { kind: 'leave', at: min(180), email: 'p@x.it', connectionId: 'b' },
      { kind: 'join', at: min(10), email: 'q@x.it', connectionId: 'c' },
    ];
    const regs = [
      { memberId: 'm1', registrantId: 'r1' },
      { memberId: 'm2', email: 'q@x.it' },
    ];
    const summarise = (recs: EvidenceRecord[]) =>
      groupParticipants(recs, regs).participants.map((p) => ({ key: p.key, memberId: p.memberId, intervals: pairIntervals(p.records).intervals }));
    const expected = summarise(base);
    expect(expected).toEqual([
      {
        key: 'member:m1',
        memberId: 'm1',
        intervals: [
          { join: min(0), leave: min(40) },
          { join: min(45), leave: min(180) },
        ],
      },
      { key: 'member:m2', memberId: 'm2', intervals: [{ join: min(10), leave: null }] },
    ]);
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (perm) => {
        expect(summarise(perm)).toEqual(expected);
      }),
    );
  });
});

describe('groupParticipants: display name (R-ATT-9)', () => {
  it('names a participant from its earliest record, whatever the arrival order', () => {
    const base: EvidenceRecord[] = [
      { kind: 'join', at: min(2), registrantId: 'r1', connectionId: '16782040', displayName: 'Maria Rossi' },
      { kind: 'leave', at: min(45), registrantId: 'r1', connectionId: '16782040', displayName: 'Maria Rossi' },
      { kind: 'join', at: min(47), registrantId: 'r1', connectionId: '16786177', displayName: 'Maria Rossi (iPhone)' },
      { kind: 'leave', at: min(118), registrantId: 'r1', connectionId: '16786177', displayName: 'Maria Rossi (iPhone)' },
    ];
    const name = (recs: EvidenceRecord[]) => groupParticipants(recs, [{ memberId: 'm1', registrantId: 'r1' }]).participants.map((p) => p.displayName);
    expect(name(base)).toEqual(['Maria Rossi']);
    expect(name([...base].reverse())).toEqual(['Maria Rossi']);
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (perm) => {
        expect(name(perm)).toEqual(['Maria Rossi']);
      }),
    );
  });
});

describe('pairIntervals (R-ATT-1, R-ATT-6)', () => {
  it('pairs each connection with its own leave, even when two devices overlap', () => {
    const p = pairIntervals([
      { kind: 'join', at: min(5), connectionId: 'a' },
      { kind: 'join', at: min(100), connectionId: 'b' },
      { kind: 'leave', at: min(120), connectionId: 'a' },
      { kind: 'leave', at: min(175), connectionId: 'b' },
    ]);
    expect(p).toEqual({
      intervals: [
        { join: min(5), leave: min(120) },
        { join: min(100), leave: min(175) },
      ],
      unpairedLeaves: 0,
    });
  });

  it('sweeps records without a connection id, joins first on equal instants', () => {
    const p = pairIntervals([
      { kind: 'leave', at: min(60) },
      { kind: 'join', at: min(60) },
      { kind: 'join', at: min(0) },
      { kind: 'leave', at: min(180) },
    ]);
    expect(p).toEqual({ intervals: [{ join: min(0), leave: min(180) }], unpairedLeaves: 0 });
  });

  it('reports an open join and a leave with no join', () => {
    expect(
      pairIntervals([
        { kind: 'leave', at: min(10) },
        { kind: 'join', at: min(20) },
      ]),
    ).toEqual({
      intervals: [{ join: min(20), leave: null }],
      unpairedLeaves: 1,
    });
  });

  it('a correction leave without a connection id closes a connection left open', () => {
    const p = pairIntervals([
      { kind: 'join', at: min(2), connectionId: 'a' },
      { kind: 'leave', at: min(179), memberId: 'm1' },
    ]);
    expect(p.intervals).toEqual([{ join: min(2), leave: min(179) }]);
  });
});

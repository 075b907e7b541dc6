/** Event definition rules: R-EVT-1/2/3/4, R-CAL-3/6, R-ATT-2/4/5 (src/domain/events.ts). */
import { describe, expect, it } from 'vitest';
import {
  accreditationDeadline,
  accreditationStatus,
  approvedBySilence,
  deontologyMinutes,
  initialAccreditation,
  validateEvent,
  wholeHours,
  type EventDraft,
  type OrganiserProfile,
} from '../../src/domain/events.ts';

const H = 3_600_000;
/** Request time: 2026-03-05 16:00 Rome (CET, +01:00). */
const NOW = Date.parse('2026-03-05T16:00:00+01:00');
const START = Date.parse('2026-04-10T14:00:00+02:00'); // 36 days later, CEST
const iso = (ms: number) => new Date(ms).toISOString();

/** A valid 3-hour webinar accredited by MI: one deontology hour, two ordinary. */
function draft(over: Partial<EventDraft> = {}): EventDraft {
  return {
    cpoProvince: 'MI',
    mode: 'webinar',
    venueProvince: null,
    topics: [
      { start: iso(START), end: iso(START + H), deontology: true },
      { start: iso(START + H), end: iso(START + 3 * H), deontology: false },
    ],
    start: iso(START),
    end: iso(START + 3 * H),
    credits: 3,
    fractionable: false,
    ...over,
  };
}

const KIND_B: OrganiserProfile = { kind: 'b' };
const KIND_A_MI: OrganiserProfile = { kind: 'a', province: 'MI' };
const KIND_E: OrganiserProfile = {
  kind: 'e',
  authorisedFrom: '2025-01-01',
  authorisedUntil: '2026-12-31',
  allowedModes: ['webinar', 'in-person'],
};

const codes = (d: EventDraft, o: OrganiserProfile = KIND_B, now: number = NOW) => validateEvent(d, o, now).map((v) => v.code);

describe('validateEvent', () => {
  it('accepts a well-formed event for every kind (R-EVT-1, R-EVT-2)', () => {
    expect(validateEvent(draft(), KIND_B, NOW)).toEqual([]);
    expect(validateEvent(draft(), KIND_A_MI, NOW)).toEqual([]);
    expect(validateEvent(draft(), { kind: 'c' }, NOW)).toEqual([]);
    expect(validateEvent(draft(), { kind: 'd' }, NOW)).toEqual([]);
    expect(validateEvent(draft(), KIND_E, NOW)).toEqual([]);
  });

  it('accepts instants written with different offsets for the same moment', () => {
    const d = draft({ start: '2026-04-10T12:00:00Z', end: '2026-04-10T17:00:00+02:00' });
    expect(codes(d)).toEqual([]);
  });

  it('R-EVT-1: the event ends after it starts', () => {
    const v = validateEvent(draft({ end: iso(START) }), KIND_B, NOW);
    expect(v).toContainEqual(expect.objectContaining({ code: 'end-not-after-start', path: 'end' }));
  });

  it('R-EVT-1: provinces are among the 107', () => {
    const v = validateEvent(draft({ cpoProvince: 'CI', venueProvince: 'XX' }), KIND_B, NOW);
    expect(v.filter((x) => x.code === 'unknown-province').map((x) => x.path)).toEqual(['cpoProvince', 'venueProvince']);
  });

  it('R-EVT-1: topics are in order, inside the event, not overlapping, each ending after it starts', () => {
    const out = [{ start: iso(START - H), end: iso(START + H), deontology: false }];
    expect(validateEvent(draft({ topics: out }), KIND_B, NOW)[0]).toMatchObject({ code: 'topic-outside-event', path: 'topics.0' });

    const reversed = [
      { start: iso(START + H), end: iso(START + 2 * H), deontology: false },
      { start: iso(START), end: iso(START + H), deontology: true },
    ];
    expect(validateEvent(draft({ topics: reversed }), KIND_B, NOW)).toEqual([expect.objectContaining({ code: 'topics-out-of-order', path: 'topics.1.start' })]);

    const overlapping = [
      { start: iso(START), end: iso(START + 2 * H), deontology: true },
      { start: iso(START + H), end: iso(START + 3 * H), deontology: false },
    ];
    expect(validateEvent(draft({ topics: overlapping }), KIND_B, NOW)).toEqual([expect.objectContaining({ code: 'topics-overlap', path: 'topics.1.start' })]);

    const empty = [{ start: iso(START + H), end: iso(START + H), deontology: false }];
    expect(codes(draft({ topics: empty }))).toEqual(['topic-end-not-after-start']);
    expect(codes(draft({ topics: [] }))).toEqual(['topics-missing']);
  });

  it('R-EVT-1: adjacent topics (one ends when the next starts) and gaps between them are fine', () => {
    const gap = [
      { start: iso(START), end: iso(START + H), deontology: true },
      { start: iso(START + 1.5 * H), end: iso(START + 3 * H), deontology: false },
    ];
    expect(codes(draft({ topics: gap }))).toEqual([]);
  });

  it('R-CAL-6: credits are a positive integer, at most the whole hours of the event', () => {
    expect(codes(draft({ credits: 0 }))).toEqual(['invalid-credits']);
    expect(codes(draft({ credits: 2.5 }))).toEqual(['invalid-credits']);
    expect(codes(draft({ credits: 4 }))).toEqual(['credits-exceed-hours']);
    // 2 h 59 min hold only 2 whole hours.
    const short = draft({ end: iso(START + 3 * H - 60_000), topics: [{ start: iso(START), end: iso(START + H), deontology: true }] });
    expect(codes(short)).toEqual(['credits-exceed-hours']);
    expect(codes({ ...short, credits: 2 })).toEqual([]);
  });

  it('R-ATT-4/5: fractions only when fractionable, and required then', () => {
    const fr = [{ start: iso(START), end: iso(START + 3 * H), credits: 3 }];
    expect(codes(draft({ fractions: fr }))).toEqual(['fractions-not-allowed']);
    expect(codes(draft({ fractionable: true }))).toEqual(['fractions-required']);
    expect(codes(draft({ fractionable: true, fractions: [] }))).toEqual(['fractions-required']);
    expect(codes(draft({ fractionable: true, fractions: fr }))).toEqual([]);
  });

  it('R-ATT-5: fractions are contiguous, in order, cover the event exactly, and their credits add up', () => {
    const ok = [
      { start: iso(START), end: iso(START + H), credits: 1 },
      { start: iso(START + H), end: iso(START + 3 * H), credits: 2 },
    ];
    expect(codes(draft({ fractionable: true, fractions: ok }))).toEqual([]);

    const gap = [
      { start: iso(START), end: iso(START + H), credits: 1 },
      { start: iso(START + 1.5 * H), end: iso(START + 3 * H), credits: 1 },
    ];
    expect(codes(draft({ fractionable: true, fractions: gap, credits: 2 }))).toEqual(['fractions-not-contiguous']);

    const overlap = [
      { start: iso(START), end: iso(START + 2 * H), credits: 1 },
      { start: iso(START + H), end: iso(START + 3 * H), credits: 2 },
    ];
    expect(codes(draft({ fractionable: true, fractions: overlap }))).toEqual(['fractions-not-contiguous']);

    const short = [
      { start: iso(START + H), end: iso(START + 2 * H), credits: 1 },
      { start: iso(START + 2 * H), end: iso(START + 2.5 * H), credits: 0 },
    ];
    const v = validateEvent(draft({ fractionable: true, fractions: short, credits: 1 }), KIND_B, NOW);
    expect(v.map((x) => [x.code, x.path])).toEqual([
      ['fractions-not-covering', 'fractions.0.start'],
      ['fractions-not-covering', 'fractions.1.end'],
    ]);

    const sum = [
      { start: iso(START), end: iso(START + H), credits: 1 },
      { start: iso(START + H), end: iso(START + 3 * H), credits: 1 },
    ];
    expect(codes(draft({ fractionable: true, fractions: sum }))).toEqual(['fraction-credits-mismatch']);
  });

  it('R-CAL-6: a fraction grants at most its whole hours', () => {
    const fr = [
      { start: iso(START), end: iso(START + 1.5 * H), credits: 2 },
      { start: iso(START + 1.5 * H), end: iso(START + 3 * H), credits: 1 },
    ];
    expect(validateEvent(draft({ fractionable: true, fractions: fr }), KIND_B, NOW)).toEqual([
      expect.objectContaining({ code: 'fraction-credits-exceed-hours', path: 'fractions.0.credits' }),
    ]);
  });

  it('R-EVT-4: only a webinar can be opened to the whole region', () => {
    expect(codes(draft({ regionWide: true }))).toEqual([]);
    expect(codes(draft({ regionWide: true, mode: 'in-person', venueProvince: 'MI' }))).toEqual(['region-wide-not-webinar']);
    expect(codes(draft({ regionWide: true, mode: 'mixed' }))).toEqual(['region-wide-not-webinar']);
  });

  it('R-ATT-2: the organiser sets a tolerance of 0..30 minutes; raising it is the CPO’s', () => {
    expect(codes(draft({ toleranceMinutes: 0 }))).toEqual([]);
    expect(codes(draft({ toleranceMinutes: 30 }))).toEqual([]);
    expect(codes(draft({ toleranceMinutes: null }))).toEqual([]);
    expect(codes(draft({ toleranceMinutes: 31 }))).toEqual(['tolerance-out-of-range']);
    expect(codes(draft({ toleranceMinutes: 60 }))).toEqual(['tolerance-out-of-range']);
    expect(codes(draft({ toleranceMinutes: -1 }))).toEqual(['tolerance-out-of-range']);
  });

  it('R-EVT-2 a): a CPO accredits in its own province only', () => {
    expect(validateEvent(draft({ cpoProvince: 'BG' }), KIND_A_MI, NOW)).toEqual([
      expect.objectContaining({ code: 'cpo-province-mismatch', path: 'cpoProvince' }),
    ]);
    expect(codes(draft({ cpoProvince: 'mi' }), KIND_A_MI)).toEqual([]);
  });

  it('R-EVT-2 e): only modes it is authorised for', () => {
    expect(codes(draft({ mode: 'e-learning' }), KIND_E)).toEqual(['mode-not-authorised']);
    expect(codes(draft({ mode: 'in-person', venueProvince: 'MI' }), KIND_E)).toEqual([]);
  });

  it('R-EVT-2 e): only while the authorisation is valid at request time, on the Rome calendar', () => {
    const until = { ...KIND_E, authorisedUntil: '2026-03-05' };
    // 2026-03-05 23:30 Rome is still the last valid day…
    expect(codes(draft(), until, Date.parse('2026-03-05T23:30:00+01:00'))).toEqual([]);
    // …and 2026-03-05T23:30Z is already 2026-03-06 in Rome.
    expect(codes(draft(), until, Date.parse('2026-03-05T23:30:00Z'))).toEqual(['authorisation-not-valid']);
    expect(codes(draft(), { ...KIND_E, authorisedFrom: '2026-03-06' })).toEqual(['authorisation-not-valid']);
    expect(codes(draft(), { kind: 'e', allowedModes: ['webinar'] })).toEqual(['authorisation-not-valid']);
  });

  it('R-EVT-3: kinds d and e request accreditation at least 20 days before the event (Rome dates)', () => {
    const req = Date.parse('2026-03-05T23:30:00+01:00'); // Rome 5 March
    const at = (s: string) => draft({ start: s, end: iso(Date.parse(s) + 3 * H), topics: [{ start: s, end: iso(Date.parse(s) + H), deontology: false }] });
    // 25 March is 20 days after 5 March: allowed at any hour of it.
    expect(codes(at('2026-03-25T00:30:00+01:00'), { kind: 'd' }, req)).toEqual([]);
    // 24 March 23:00 Rome: 19 days.
    expect(codes(at('2026-03-24T23:00:00+01:00'), { kind: 'd' }, req)).toEqual(['accreditation-too-late']);
    expect(codes(at('2026-03-24T23:00:00+01:00'), KIND_E, req)).toEqual(['accreditation-too-late']);
    // 24 March 23:30Z is already 25 March in Rome.
    expect(codes(at('2026-03-24T23:30:00Z'), { kind: 'd' }, req)).toEqual([]);
    // Self-accrediting kinds are not bound by the notice (they may even register past events).
    for (const kind of ['a', 'b', 'c'] as const) {
      expect(codes(at('2026-03-06T10:00:00+01:00'), { kind, province: 'MI' }, req)).toEqual([]);
    }
  });

  it('lists every violation at once', () => {
    const v = validateEvent(draft({ credits: 9, regionWide: true, mode: 'podcast', toleranceMinutes: 45, cpoProvince: 'BG' }), { ...KIND_E, kind: 'e' }, NOW);
    expect(v.map((x) => x.code).sort()).toEqual(['credits-exceed-hours', 'mode-not-authorised', 'region-wide-not-webinar', 'tolerance-out-of-range'].sort());
  });
});

describe('accreditation (R-EVT-2, R-EVT-3)', () => {
  it('kinds a, b, c self-accredit; d and e request it', () => {
    expect(['a', 'b', 'c', 'd', 'e'].map((k) => initialAccreditation(k as OrganiserProfile['kind']))).toEqual([
      'approved',
      'approved',
      'approved',
      'requested',
      'requested',
    ]);
  });

  it('R-CAL-3: the CPO has until 23:59:59.999 Rome of the 10th day after the request', () => {
    expect(accreditationDeadline(Date.parse('2026-03-05T15:00:00Z')).toISOString()).toBe('2026-03-15T22:59:59.999Z');
    // Across the DST change (29 March): the deadline stays at Rome midnight.
    expect(accreditationDeadline(Date.parse('2026-03-25T09:00:00Z')).toISOString()).toBe('2026-04-04T21:59:59.999Z');
  });

  it('R-EVT-3: silence for 10 days means consent', () => {
    const requestedAt = '2026-03-05T15:00:00Z';
    const before = Date.parse('2026-03-15T22:59:59.999Z');
    const after = before + 1;
    expect(accreditationStatus({ status: 'requested', requestedAt }, before)).toBe('requested');
    expect(approvedBySilence(requestedAt, before)).toBe(false);
    expect(accreditationStatus({ status: 'requested', requestedAt }, after)).toBe('approved');
    expect(approvedBySilence(requestedAt, after)).toBe(true);
  });

  it('an explicit decision stands, whatever the clock', () => {
    const requestedAt = '2026-03-05T15:00:00Z';
    expect(accreditationStatus({ status: 'rejected', requestedAt }, Date.parse('2027-01-01T00:00:00Z'))).toBe('rejected');
    expect(accreditationStatus({ status: 'approved', requestedAt }, Date.parse('2026-03-06T00:00:00Z'))).toBe('approved');
  });
});

describe('deontologyMinutes', () => {
  const topics = draft().topics;

  it('sums deontology topics inside the window, clipped', () => {
    expect(deontologyMinutes(topics, START, START + 3 * H)).toBe(60);
    expect(deontologyMinutes(topics, START + 0.5 * H, START + 3 * H)).toBe(30);
    expect(deontologyMinutes(topics, START + H, START + 3 * H)).toBe(0);
    expect(deontologyMinutes(topics, iso(START), iso(START + 3 * H))).toBe(60);
  });

  it('rounds down only after summing', () => {
    const t = [
      { start: START, end: START + 30_000, deontology: true },
      { start: START + 60_000, end: START + 90_000, deontology: true },
    ];
    expect(deontologyMinutes(t, START, START + H)).toBe(1);
  });
});

describe('wholeHours (R-CAL-6)', () => {
  it('counts only whole hours', () => {
    expect(wholeHours({ start: 0, end: 3 * H })).toBe(3);
    expect(wholeHours({ start: 0, end: 3 * H - 1 })).toBe(2);
  });
});

describe('structured paths (R-EVT-6)', () => {
  const D = 24 * H;
  /** Sessions of `hours` hours from 09:00 Rome on consecutive days from START's day. */
  const sessions = (hours: number[], autonomous: boolean[] = []) =>
    hours.map((h, i) => ({
      start: iso(START - 5 * H + i * D),
      end: iso(START - 5 * H + i * D + h * H),
      credits: h,
      ...(autonomous[i] ? { autonomous: true } : {}),
    }));
  /** A 3 × 8-hour in-person path (09:00–17:00 Rome, 10–12 April 2026), the middle day autonomous. */
  function path(over: Partial<EventDraft> = {}, hours = [8, 8, 8]): EventDraft {
    const fr = sessions(hours, [false, true, false]);
    return draft({
      mode: 'in-person',
      structuredPath: true,
      fractionable: true,
      fractions: fr,
      start: fr[0]!.start,
      end: fr[fr.length - 1]!.end,
      topics: [{ start: fr[0]!.start, end: fr[fr.length - 1]!.end, deontology: false }],
      credits: hours.reduce((a, b) => a + b, 0),
      ...over,
    });
  }

  it('accepts a path of more than 20 hours over several days, in person or mixed, with gaps between sessions and autonomous sessions', () => {
    expect(validateEvent(path(), KIND_B, NOW)).toEqual([]);
    expect(codes(path({ mode: 'mixed' }))).toEqual([]);
    // The event credits may exceed 20: the path grants at most 20 (capped at derivation).
    expect(path().credits).toBe(24);
  });

  it('only in person or mixed: structured-path-mode', () => {
    for (const mode of ['webinar', 'videoconference', 'e-learning', 'podcast']) {
      expect(validateEvent(path({ mode }), KIND_B, NOW)).toEqual([expect.objectContaining({ code: 'structured-path-mode', path: 'mode' })]);
    }
  });

  it('more than 20 hours of sessions: exactly 20 is too short, 20 h 1 min is not (nights between days do not count)', () => {
    expect(validateEvent(path({}, [8, 8, 4]), KIND_B, NOW)).toEqual([expect.objectContaining({ code: 'structured-path-too-short', path: 'fractions' })]);
    const fr = sessions([8, 8, 4]);
    fr[2] = { ...fr[2]!, end: iso(Date.parse(fr[2]!.end) + 60_000) };
    expect(codes(path({ fractions: fr, end: fr[2]!.end, topics: [{ start: fr[0]!.start, end: fr[2]!.end, deontology: false }], credits: 20 }))).toEqual([]);
  });

  it('over several Rome days: structured-path-single-day', () => {
    // 21 hours from 01:00 to 22:00 of one day.
    const fr = [
      { start: '2026-04-10T01:00:00+02:00', end: '2026-04-10T12:00:00+02:00', credits: 11 },
      { start: '2026-04-10T12:00:00+02:00', end: '2026-04-10T22:00:00+02:00', credits: 10 },
    ];
    const one = path({
      fractions: fr,
      start: fr[0]!.start,
      end: fr[1]!.end,
      topics: [{ start: fr[0]!.start, end: fr[1]!.end, deontology: false }],
      credits: 21,
    });
    expect(validateEvent(one, KIND_B, NOW)).toEqual([expect.objectContaining({ code: 'structured-path-single-day', path: 'fractions' })]);
    // Ending at midnight Rome is still the same day; one minute later is the next.
    const toMidnight = [fr[0]!, { ...fr[1]!, end: '2026-04-11T00:00:00+02:00', credits: 12 }];
    expect(
      codes(
        path({
          fractions: toMidnight,
          start: fr[0]!.start,
          end: toMidnight[1]!.end,
          topics: [{ start: fr[0]!.start, end: toMidnight[1]!.end, deontology: false }],
          credits: 23,
        }),
      ),
    ).toEqual(['structured-path-single-day']);
    const past = [fr[0]!, { ...fr[1]!, end: '2026-04-11T00:01:00+02:00', credits: 12 }];
    expect(
      codes(
        path({ fractions: past, start: fr[0]!.start, end: past[1]!.end, topics: [{ start: fr[0]!.start, end: past[1]!.end, deontology: false }], credits: 23 }),
      ),
    ).toEqual([]);
  });

  it('sessions are the fractions of a fractionable event: structured-path-sessions-required', () => {
    expect(validateEvent(path({ fractionable: false, fractions: null }), KIND_B, NOW)).toEqual([
      expect.objectContaining({ code: 'structured-path-sessions-required', path: 'fractionable' }),
    ]);
    expect(codes(path({ fractions: [] }))).toEqual(['fractions-required']);
  });

  it('sessions may leave gaps but not overlap (fractions-overlap); other events keep contiguous fractions', () => {
    const fr = sessions([8, 8, 8]);
    fr[1] = { ...fr[1]!, start: iso(Date.parse(fr[0]!.end) - H) };
    fr[1]!.credits = 8;
    expect(validateEvent(path({ fractions: fr }), KIND_B, NOW)).toEqual([expect.objectContaining({ code: 'fractions-overlap', path: 'fractions.1.start' })]);
    // The same gaps on an ordinary fractionable event are not allowed.
    expect(codes(path({ structuredPath: false, fractions: sessions([8, 8, 8]) }))).toEqual(['fractions-not-contiguous', 'fractions-not-contiguous']);
  });

  it('only the sessions of a path have full scientific autonomy: autonomous-fraction-outside-path', () => {
    const fr = [
      { start: iso(START), end: iso(START + H), credits: 1, autonomous: true },
      { start: iso(START + H), end: iso(START + 3 * H), credits: 2 },
    ];
    expect(validateEvent(draft({ fractionable: true, fractions: fr }), KIND_B, NOW)).toEqual([
      expect.objectContaining({ code: 'autonomous-fraction-outside-path', path: 'fractions.0.autonomous' }),
    ]);
  });
});

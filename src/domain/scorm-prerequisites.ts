/**
 * @module SCORM 1.2 prerequisites (`adlcp:prerequisites`, type `aicc_script`; SCORM 1.2 CAM
 * 2.3.2.4, after AICC CMI001's "prerequisite" script): which items must be done before an item is
 * offered. Pure: the player service reads each SCO's status from the stored commits and asks here.
 *
 * The script: item identifiers; `~` not, `&` and, `|` or, parentheses; an item compared with a
 * status (`ITEM-1 = "failed"`, `ITEM-1 <> passed`: the status quoted or not, whole or by its first
 * letter, AICC style); and sets, `2*{ITEM-1, ITEM-2, ITEM-3}` holding when at least 2 of them do.
 * An identifier alone holds when the item is `passed` or `completed`.
 *
 * **Decisions** (the sources leave them open): precedence is `~`, then a comparison, then `&`,
 * then `|`, each left to right (the usual reading; AICC gives examples, not a grammar). An
 * identifier that names no SCO offered to the learner (a hidden item, an aggregation, a typo) holds:
 * the learner could never meet it, and R-ELN-2 already asks for every offered SCO. A script that
 * does not parse offers the item (reported by the compliance report, never a dead end).
 */

/** A SCO's status as prerequisites read it (SCORM 1.2 `cmi.core.lesson_status` vocabulary). */
export type LessonStatus = 'passed' | 'completed' | 'failed' | 'incomplete' | 'browsed' | 'not attempted';

const STATUSES: readonly LessonStatus[] = ['passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted'];

export type Prerequisite =
  | { kind: 'item'; id: string }
  | { kind: 'compare'; id: string; equal: boolean; status: LessonStatus }
  | { kind: 'not'; of: Prerequisite }
  | { kind: 'and' | 'or'; left: Prerequisite; right: Prerequisite }
  | { kind: 'set'; atLeast: number; of: Prerequisite[] };

type Token = { t: 'id' | 'num' | 'str'; v: string } | { t: 'op'; v: '&' | '|' | '~' | '=' | '<>' | '(' | ')' | '{' | '}' | ',' | '*' };

function tokenize(script: string): Token[] | null {
  const out: Token[] = [];
  const re = /\s*(?:(<>|[&|~=(){},*])|"([^"]*)"|([^\s&|~=(){},*"<>]+))/y;
  let i = 0;
  while (i < script.length) {
    if (/^\s*$/.test(script.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(script);
    if (!m) return null;
    i = re.lastIndex;
    if (m[1]) out.push({ t: 'op', v: m[1] as Extract<Token, { t: 'op' }>['v'] });
    else if (m[2] !== undefined) out.push({ t: 'str', v: m[2] });
    else out.push({ t: /^\d+$/.test(m[3]!) ? 'num' : 'id', v: m[3]! });
  }
  return out;
}

/** A status as a script writes it: whole or its first letter, any case; null when it is none. */
function statusOf(word: string): LessonStatus | null {
  const w = word.trim().toLowerCase();
  return STATUSES.find((s) => s === w || (w.length === 1 && s[0] === w)) ?? null;
}

/** The script as a tree, or null when it does not parse. */
export function parsePrerequisites(script: string): Prerequisite | null {
  const tokens = tokenize(script);
  if (!tokens || !tokens.length) return null;
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => {
    const t = peek();
    return t?.t === 'op' && t.v === v;
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected ${v}`);
    pos++;
  };

  const or = (): Prerequisite => {
    let left = and();
    while (isOp('|')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Prerequisite => {
    let left = unary();
    while (isOp('&')) {
      pos++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Prerequisite => {
    if (isOp('~')) {
      pos++;
      return { kind: 'not', of: unary() };
    }
    return primary();
  };
  const primary = (): Prerequisite => {
    const t = peek();
    if (!t) throw new Error('unexpected end');
    if (t.t === 'op' && t.v === '(') {
      pos++;
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.t === 'num' && tokens[pos + 1]?.t === 'op' && tokens[pos + 1]!.v === '*') {
      pos += 2;
      expect('{');
      const of: Prerequisite[] = [or()];
      while (isOp(',')) {
        pos++;
        of.push(or());
      }
      expect('}');
      return { kind: 'set', atLeast: Number(t.v), of };
    }
    if (t.t !== 'id' && t.t !== 'num') throw new Error('expected an identifier');
    pos++;
    if (isOp('=') || isOp('<>')) {
      const equal = isOp('=');
      pos++;
      const s = peek();
      const status = s && s.t !== 'op' ? statusOf(s.v) : null;
      if (!status) throw new Error('expected a status');
      pos++;
      return { kind: 'compare', id: t.v, equal, status };
    }
    return { kind: 'item', id: t.v };
  };

  try {
    const tree = or();
    return pos === tokens.length ? tree : null;
  } catch {
    return null;
  }
}

/** The identifiers a tree names, in order of first appearance. */
export function prerequisiteItems(p: Prerequisite): string[] {
  const out = new Set<string>();
  const walk = (q: Prerequisite) => {
    if (q.kind === 'item' || q.kind === 'compare') out.add(q.id);
    else if (q.kind === 'not') walk(q.of);
    else if (q.kind === 'set') q.of.forEach(walk);
    else {
      walk(q.left);
      walk(q.right);
    }
  };
  walk(p);
  return [...out];
}

/**
 * Whether the prerequisites hold, given each offered SCO's status (`offered`: identifier →
 * status). An identifier of no offered SCO holds (module decision).
 *
 * @example prerequisitesMet(parsePrerequisites('ITEM-1 & ITEM-2')!, new Map([['ITEM-1', 'passed'], ['ITEM-2', 'incomplete']])) // → false
 */
export function prerequisitesMet(p: Prerequisite, offered: ReadonlyMap<string, LessonStatus>): boolean {
  const done = (id: string) => {
    const s = offered.get(id);
    return s === undefined || s === 'passed' || s === 'completed';
  };
  switch (p.kind) {
    case 'item':
      return done(p.id);
    case 'compare': {
      const s = offered.get(p.id);
      if (s === undefined) return true;
      return (s === p.status) === p.equal;
    }
    case 'not':
      return !prerequisitesMet(p.of, offered);
    case 'and':
      return prerequisitesMet(p.left, offered) && prerequisitesMet(p.right, offered);
    case 'or':
      return prerequisitesMet(p.left, offered) || prerequisitesMet(p.right, offered);
    case 'set':
      return p.of.filter((q) => prerequisitesMet(q, offered)).length >= p.atLeast;
  }
}

/**
 * A SCO's status for prerequisites from what its commits reported: `passed` or `completed` once
 * ever reported (statuses only move forward, as for credits, R-ELN-2), else the latest reported,
 * else `not attempted`.
 */
export function reportedStatus(r: { everPassed: boolean; everCompleted: boolean; latest: string | null }): LessonStatus {
  if (r.everPassed) return 'passed';
  if (r.everCompleted) return 'completed';
  return statusOf(r.latest ?? '') ?? 'not attempted';
}

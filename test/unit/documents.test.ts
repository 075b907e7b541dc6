/** Issue 15 (R-DOC-2 … R-DOC-6): normalising facts, their digest, verification codes, status. */
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  codeHash,
  digestText,
  documentCode,
  documentStatus,
  factsDigest,
  groupedCode,
  issueDecision,
  maskedCodiceFiscale,
  mayRevoke,
  normaliseFacts,
  parseCode,
} from '../../src/domain/documents.ts';

describe('facts (R-DOC-3)', () => {
  it('normalises strings (NFC, one space, trimmed), sorts keys, drops undefined', () => {
    const decomposed = 'Nicola\u0300'; // a + combining grave
    expect(normaliseFacts({ b: '  Rossi \n\t Mario ', a: 1, c: undefined, d: [decomposed] })).toEqual({ a: 1, b: 'Rossi Mario', d: ['Nicolà'] });
    expect(canonicalJson({ z: { y: 1, x: 2 }, a: null })).toBe('{"a":null,"z":{"x":2,"y":1}}');
  });

  it('refuses numbers that are not finite', () => {
    expect(() => normaliseFacts({ credits: Number.NaN })).toThrow(RangeError);
  });

  it('the digest is the same for equivalent facts and differs for any change, or another kind', () => {
    const a = factsDigest('elearning-attestation', { name: 'Mario  Rossi', credits: 2 });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(factsDigest('elearning-attestation', { credits: 2, name: 'Mario Rossi' })).toBe(a);
    expect(factsDigest('elearning-attestation', { credits: 3, name: 'Mario Rossi' })).not.toBe(a);
    expect(digestText(a).split(' ')).toHaveLength(8);
  });
});

describe('verification codes (R-DOC-2)', () => {
  const id = '3f2a9c1b-7d0e-4a12-9b3c-0d1e2f3a4b5c';

  it('160 bits in base32, stable for the document, different per secret and document', () => {
    const code = documentCode('s'.repeat(32), id);
    expect(code).toMatch(/^[A-Z2-7]{32}$/);
    expect(documentCode('s'.repeat(32), id)).toBe(code);
    expect(documentCode('t'.repeat(32), id)).not.toBe(code);
    expect(documentCode('s'.repeat(32), crypto.randomUUID())).not.toBe(code);
    expect(codeHash(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(codeHash(code)).not.toContain(code.toLowerCase());
  });

  it('is read back grouped, with spaces, in lower case, with 0/1/8 for O/I/B; anything else is no code', () => {
    const code = documentCode('s'.repeat(32), id);
    const grouped = groupedCode(code);
    expect(grouped).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(parseCode(grouped)).toBe(code);
    expect(parseCode(` ${grouped.replaceAll('-', ' ').toLowerCase()} `)).toBe(code);
    expect(parseCode('OIBA'.repeat(8).replace(/O/g, '0').replace(/I/g, '1').replace(/B/g, '8'))).toBe('OIBA'.repeat(8));
    expect(parseCode(code.slice(1))).toBeNull();
    expect(parseCode(`${code}A`)).toBeNull();
    expect(parseCode('not-a-code')).toBeNull();
    expect(parseCode('')).toBeNull();
  });
});

describe('status and issuing (R-DOC-4, R-DOC-5, R-DOC-6)', () => {
  const none = { revokedAt: null, revokedBy: null, revokedReason: null, supersededAt: null };
  const at = new Date('2026-03-15T10:00:00Z');

  it('valid, superseded, revoked; a revocation wins over a supersession', () => {
    expect(documentStatus(none)).toEqual({ status: 'valid' });
    expect(documentStatus({ ...none, supersededAt: at })).toEqual({ status: 'superseded', at });
    expect(documentStatus({ ...none, supersededAt: at, revokedAt: at, revokedBy: 'cn:k', revokedReason: 'errore' })).toEqual({
      status: 'revoked',
      at,
      reason: 'errore',
      by: 'cn:k',
    });
  });

  it('the same facts reuse the document, different ones supersede it', () => {
    expect(issueDecision(null, 'a')).toEqual({ action: 'create' });
    expect(issueDecision({ factsDigest: 'a' }, 'a')).toEqual({ action: 'reuse' });
    expect(issueDecision({ factsDigest: 'a' }, 'b')).toEqual({ action: 'supersede' });
  });

  it('admin, cn and the issuing organiser may revoke; nobody else', () => {
    const issuer = 'organiser:o1';
    expect(mayRevoke({ role: 'admin', subject: null }, issuer)).toBe(true);
    expect(mayRevoke({ role: 'cn', subject: null }, issuer)).toBe(true);
    expect(mayRevoke({ role: 'organiser', subject: 'o1' }, issuer)).toBe(true);
    expect(mayRevoke({ role: 'organiser', subject: 'o2' }, issuer)).toBe(false);
    expect(mayRevoke({ role: 'cpo', subject: 'MI' }, issuer)).toBe(false);
    expect(mayRevoke({ role: 'platform', subject: 'o1' }, issuer)).toBe(false);
  });

  it('masks the codice fiscale but its first six and last characters', () => {
    expect(maskedCodiceFiscale('RSSMRA80A01H501U')).toBe('RSSMRA•••••••••U');
  });
});

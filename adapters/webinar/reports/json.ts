/** @module JSON reports: the text parsed (or the value passed through), and own-property reads only. */
import { ReportFormatError } from './codes.ts';
import { decodeReportBytes } from './text-decoding.ts';

/**
 * Parses raw JSON bytes/text (UTF-8, BOM tolerated; `prepare` may rewrite the text first), or
 * passes an already parsed value through.
 */
export function jsonInput(input: unknown, prepare: (text: string) => string = (t) => t): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  const text = prepare(decodeReportBytes(input).text.trim());
  if (!text) throw new ReportFormatError('report-empty', 'the report is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ReportFormatError('report-not-json', 'the report is not JSON');
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property (never the prototype chain: `__proto__` keys read nothing). */
export function prop(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

export function arrayProp(o: Record<string, unknown>, key: string): unknown[] | undefined {
  const v = prop(o, key);
  return Array.isArray(v) ? v : undefined;
}

/**
 * @module The policy under which a package's XML (`imsmanifest.xml`, `cmi5.xml`) is read, for
 * both readers: at most `MAX_MANIFEST_BYTES`, UTF-8, no `<!DOCTYPE` or `<!ENTITY` (SCORM and cmi5
 * files are schema-validated, never DTD-based, so only the five predefined entities and character
 * references are expanded), well-formed (`XMLValidator`) before anything parses it; and the
 * fast-xml-parser options both parse with, which never fetch anything.
 */
import { XMLValidator, type X2jOptions } from 'fast-xml-parser';

export const MAX_MANIFEST_BYTES = 2 * 1024 * 1024;

/** fast-xml-parser's options for untrusted package XML (each reader adds how it wants arrays or order). */
export const UNTRUSTED_XML_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
} satisfies Partial<X2jOptions>;

/**
 * The text of `bytes` once it passes the policy; otherwise why not, as `refuse(message, extra)`
 * builds the reader's own error (`name` says which file, "The manifest", "cmi5.xml").
 */
export function untrustedXmlText(bytes: Uint8Array | string, name: string, refuse: (message: string, extra?: Record<string, unknown>) => Error): string {
  const tooLarge = () => refuse(`${name} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  if (typeof bytes !== 'string' && bytes.byteLength > MAX_MANIFEST_BYTES) throw tooLarge();
  let xml: string;
  try {
    xml = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refuse(`${name} is not UTF-8 text`);
  }
  if (xml.length > MAX_MANIFEST_BYTES) throw tooLarge();
  if (/<!DOCTYPE|<!ENTITY/iu.test(xml)) throw refuse(`${name} holds a DOCTYPE or entity declaration, which is not accepted`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw refuse(`${name} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`, { line: valid.err.line });
  return xml;
}

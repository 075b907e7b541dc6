/** @module JSON logs (pino). Personal data (codice fiscale, names, e-mails) is never logged. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'cdl-gateway'): Logger {
  return pino({
    name,
    level,
    // Belt and braces: if a field with personal data ever reaches a log call, it is hidden.
    redact: { paths: ['*.codiceFiscale', '*.codice_fiscale', '*.email', '*.surname', '*.givenName', '*.name'], censor: '[redacted]' },
  });
}

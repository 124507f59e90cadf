/**
 * Redaction for everything the suite writes into a report or log: values under secret-looking keys,
 * bearer/token headers, JWTs, and any literal secret registered from config.
 */

const SECRET_KEY = /(pass(word|code)?|secret|token|authori[sz]ation|(api|webhook)[-_]?key|credential|cookie)/i;
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const AUTH_VALUE = /\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;
export const REDACTED = '[REDACTED]';

const knownSecrets = new Set<string>();

/** Register a literal secret (a configured password or token) to be scrubbed wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

export function redactText(text: string): string {
  let out = text.replace(JWT, REDACTED).replace(AUTH_VALUE, `$1 ${REDACTED}`);
  for (const secret of knownSecrets) out = out.split(secret).join(REDACTED);
  return out;
}

/** Deep copy of `value` with secret-looking keys blanked and secret strings scrubbed. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 12) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) && v !== null && typeof v !== 'object' && typeof v !== 'boolean' ? REDACTED : redact(v, depth + 1),
    ]),
  );
}

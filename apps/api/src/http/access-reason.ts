import type { FastifyRequest } from 'fastify';

export const ACCESS_REASON_HEADER = 'x-access-reason';

/**
 * The `X-Access-Reason` header as text, or undefined when absent. Header values travel as Latin-1:
 * a percent-encoded value (`encodeURIComponent`, the portable way to send Korean) is decoded, and
 * raw UTF-8 bytes are recovered when they decode cleanly.
 */
export function accessReason(req: FastifyRequest): string | undefined {
  const raw = req.headers[ACCESS_REASON_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  if (/%[0-9A-Fa-f]{2}/.test(value)) {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  if (/[^\x20-\x7e]/.test(value)) {
    const utf8 = Buffer.from(value, 'latin1').toString('utf8');
    if (!utf8.includes('\uFFFD')) return utf8;
  }
  return value;
}

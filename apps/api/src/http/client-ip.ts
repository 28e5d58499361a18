import type { FastifyRequest } from 'fastify';

/** The caller's address as Fastify sees it (X-Forwarded-For counts only as written by TRUST_PROXY's proxies). */
export function clientIp(req: FastifyRequest): string {
  return req.ip ?? 'unknown';
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

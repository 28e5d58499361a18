import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, DomainError, type AppConfig, queryRows } from '@app/platform';
import { isRole } from '../permissions';
import { pooledRandomBytes } from './random-pool';
import { firmScope, type StaffPrincipal } from '../tenancy';

const TOKEN_PREFIX = 'jsis_';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** 256 random bits, URL-safe; only its SHA-256 is stored. */
export function newToken(prefix: string): string {
  return `${prefix}${pooledRandomBytes(32).toString('base64url')}`;
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  sessionId: string;
}

/**
 * Opaque staff sessions. Every request checks the database: a revoked session, a deactivated or
 * suspended staff member, or an idle/absolute timeout ends access on the very next call.
 */
@Injectable()
export class StaffSessionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(tx: EntityManager, staffId: string, firmId: string, sourceIp: string): Promise<IssuedSession> {
    const token = newToken(TOKEN_PREFIX);
    const rows = await tx.query<{ id: string; expires_at: Date }[]>(
      `INSERT INTO staff_sessions (staff_id, firm_id, token_hash, expires_at, source_ip)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5)
       RETURNING id, expires_at`,
      [staffId, firmId, hashToken(token), this.config.sessionAbsoluteHours, sourceIp],
    );
    return { token, expiresAt: this.effectiveExpiry(rows[0].expires_at, new Date()), sessionId: rows[0].id };
  }

  /** The earlier of the absolute expiry and the idle timeout from `lastSeen`. */
  private effectiveExpiry(absolute: Date, lastSeen: Date): Date {
    const idle = new Date(lastSeen.getTime() + this.config.sessionIdleMinutes * 60_000);
    return idle < absolute ? idle : absolute;
  }

  async authenticate(token: string, sourceIp: string): Promise<StaffPrincipal> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) throw this.unauthorized();
    const rows = await this.ds.query<
      {
        id: string;
        staff_id: string;
        firm_id: string;
        role: string;
        email: string;
        name: string;
        stale: boolean;
      }[]
    >(
      `SELECT s.id, s.staff_id, s.firm_id, st.role, st.email, st.name,
              s.last_seen_at < now() - interval '20 seconds' AS stale
         FROM staff_sessions s
         JOIN staff st ON st.id = s.staff_id
        WHERE s.token_hash = $1
          AND s.revoked_at IS NULL
          AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(mins => $2)
          AND st.active AND st.suspended_at IS NULL`,
      [hashToken(token), this.config.sessionIdleMinutes],
    );
    const r = rows[0];
    if (!r || !isRole(r.role)) throw this.unauthorized();
    if (r.stale) {
      await this.ds.query(`UPDATE staff_sessions SET last_seen_at = now() WHERE id = $1`, [r.id]);
    }
    return {
      kind: 'staff',
      staffId: r.staff_id,
      firmId: firmScope(r.firm_id),
      role: r.role,
      email: r.email,
      name: r.name,
      sessionId: r.id,
      sourceIp,
    };
  }

  async revoke(sessionId: string, reason: string): Promise<void> {
    await this.ds.query(
      `UPDATE staff_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason],
    );
  }

  /** Ends every live session of a staff member, inside the caller's transaction. */
  async revokeAll(tx: EntityManager, staffId: string, reason: string): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE staff_sessions SET revoked_at = now(), revoked_reason = $2
        WHERE staff_id = $1 AND revoked_at IS NULL RETURNING id`,
      [staffId, reason],
    );
    return rows.length;
  }

  private unauthorized(): DomainError {
    return new DomainError('UNAUTHORIZED', 'A valid session is required');
  }
}

/**
 * Inside the transaction that commits a long request's work (an upload that streamed for minutes):
 * the session that started it must still be live and its holder still active, unsuspended and in
 * the same role, or nothing is committed (401). The staff row is share-locked, so a deactivation
 * either committed before this check (refused here) or waits until this transaction ends.
 */
export async function assertSessionStillLive(
  tx: Pick<EntityManager, 'query'>,
  principal: Pick<StaffPrincipal, 'sessionId' | 'staffId' | 'role'>,
): Promise<void> {
  const rows = await tx.query<unknown[]>(
    `SELECT 1 FROM staff st JOIN staff_sessions s ON s.staff_id = st.id
      WHERE st.id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
        AND st.active AND st.suspended_at IS NULL AND st.role = $3
      FOR SHARE OF st`,
    [principal.staffId, principal.sessionId, principal.role],
  );
  if (rows.length === 0) {
    throw new DomainError('UNAUTHORIZED', 'Your session ended while the request ran; nothing was saved');
  }
}

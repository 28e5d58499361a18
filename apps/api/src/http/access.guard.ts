import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@app/platform';
import { ClaimantPortalService } from '@app/claimants';
import { StaffSessionService, roleAllows, type Permission } from '@app/security';
import { CLAIMANT_ROUTE, PUBLIC_ROUTE, REQUIRED_PERMISSION, type RequestWithPrincipal } from './access.decorators';
import { bearerToken, clientIp } from './client-ip';

/**
 * Deny by default: a route passes only if it is marked public, is a claimant route (checked by the
 * claimant guard), or names a permission that the caller's role holds.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: StaffSessionService,
    private readonly portal: ClaimantPortalService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    const token = bearerToken(req);
    if (this.reflector.getAllAndOverride<boolean>(CLAIMANT_ROUTE, targets)) {
      if (!token) throw new DomainError('UNAUTHORIZED', 'A valid claimant session is required');
      req.claimant = await this.portal.authenticate(token, clientIp(req));
      return true;
    }
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (!permission) throw new DomainError('FORBIDDEN', 'This route is not open to anyone');
    if (!token) throw new DomainError('UNAUTHORIZED', 'A valid session is required');
    const principal = await this.sessions.authenticate(token, clientIp(req));
    if (!roleAllows(principal.role, permission)) {
      throw new DomainError('FORBIDDEN', 'Your role does not allow this');
    }
    req.principal = principal;
    return true;
  }
}

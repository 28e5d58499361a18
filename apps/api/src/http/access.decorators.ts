import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Permission, StaffPrincipal } from '@app/security';
import type { ClaimantPrincipal } from '@app/claimants';

export const PUBLIC_ROUTE = 'jsi:public';
export const REQUIRED_PERMISSION = 'jsi:permission';
export const CLAIMANT_ROUTE = 'jsi:claimant';

/** Reachable without any session (public intake, health, login). Everything else is denied by default. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** A staff route: needs a valid staff session whose role holds this permission. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permission);

/** A claimant self-service route: needs a claimant session. */
export const ClaimantRoute = (): MethodDecorator & ClassDecorator => SetMetadata(CLAIMANT_ROUTE, true);

export interface RequestWithPrincipal {
  principal?: StaffPrincipal;
  claimant?: ClaimantPrincipal;
}

/** The authenticated staff member (set by the access guard). */
export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffPrincipal => {
  const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  if (!req.principal) throw new Error('CurrentStaff used on a route without a staff permission');
  return req.principal;
});

/** The authenticated claimant (set by the access guard on claimant routes). */
export const CurrentClaimant = createParamDecorator((_: unknown, ctx: ExecutionContext): ClaimantPrincipal => {
  const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  if (!req.claimant) throw new Error('CurrentClaimant used on a route that is not a claimant route');
  return req.claimant;
});

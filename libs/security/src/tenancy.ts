/**
 * A firm id that came from an authenticated principal. Repository methods take one of these, so
 * calling them without the caller's firm is a type error (a plain string does not fit).
 */
export type FirmScope = string & { readonly __firmScope: unique symbol };

/** Only the auth layer and operator commands mint scopes. */
export function firmScope(firmId: string): FirmScope {
  return firmId as FirmScope;
}

export type ActorType = 'staff' | 'claimant' | 'system';

export interface StaffPrincipal {
  kind: 'staff';
  staffId: string;
  firmId: FirmScope;
  role: import('./permissions').Role;
  email: string;
  name: string;
  sessionId: string;
  sourceIp: string;
}

import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CLAIMANT_ROUTE, PUBLIC_ROUTE, REQUIRED_PERMISSION } from './access.decorators';

export interface RouteAccess {
  controller: string;
  handler: string;
  /** 'public', 'claimant', a permission name, or 'none' (which must never appear). */
  access: string;
}

const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';

/** Every registered controller route with the access it declares ('none' must never appear). */
export function routeAccessReport(app: INestApplication): RouteAccess[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const out: RouteAccess[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || !wrapper.metatype) continue;
    const proto = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (proto as Record<string, object>)[name];
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const targets = [handler as () => void, wrapper.metatype as () => void];
      const permission = reflector.getAllAndOverride<string | undefined>(REQUIRED_PERMISSION, targets);
      const access = reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)
        ? 'public'
        : reflector.getAllAndOverride<boolean>(CLAIMANT_ROUTE, targets)
          ? 'claimant'
          : (permission ?? 'none');
      out.push({ controller: String(wrapper.name), handler: name, access });
    }
  }
  return out;
}

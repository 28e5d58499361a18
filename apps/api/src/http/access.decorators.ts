import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'jsi:public';

/** Marks a route as reachable without a staff session. Everything else is denied by default. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

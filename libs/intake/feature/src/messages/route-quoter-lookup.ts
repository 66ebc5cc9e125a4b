import type { ModuleRef } from '@nestjs/core';
import { ROUTE_QUOTER, type RouteQuoter } from '@sms/contracts';
import { HttpRouteQuoter } from './http-route-quoter';

/**
 * Where a quote's route comes from: the router module of this process when there is one (embedded), looked up
 * on first use since intake does not import it; else the router service at ROUTER_URL; else none.
 */
export function lazyRouteQuoter(moduleRef: ModuleRef, routerUrl: string): () => RouteQuoter | null {
  const overHttp = routerUrl === '' ? null : new HttpRouteQuoter(routerUrl);
  let inProcess: RouteQuoter | null | undefined;

  return () => {
    if (inProcess === undefined) {
      try {
        inProcess = moduleRef.get<RouteQuoter>(ROUTE_QUOTER, { strict: false });
      } catch {
        inProcess = null;
      }
    }

    return inProcess ?? overHttp;
  };
}

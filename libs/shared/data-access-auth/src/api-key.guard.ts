import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError, AuthenticatesApiKey } from '@sms/platform';
import type { FastifyRequest } from 'fastify';
import { ApiScope, type ApiPrincipal, ApiKeyService } from './api-key.service';

const SCOPE_METADATA = 'sms:required-scope';

/**
 * The scope a route needs; with several, any one of them will do (key management: `admin` within the
 * account, or `operator` across accounts). `admin` also passes `send` and `read` (all within the key's
 * account); `operator` is the platform's and is passed only by keys that hold it.
 */
export const RequireScope = (...scopes: [ApiScope, ...ApiScope[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(SCOPE_METADATA, scopes);

export type AuthenticatedRequest = FastifyRequest & { principal?: ApiPrincipal };

const UNAUTHORIZED = (): ApiError =>
  new ApiError(401, 'UNAUTHORIZED', 'A valid API key is required (Authorization: Bearer <key>)', undefined, {
    'www-authenticate': 'Bearer',
  });

/**
 * `Authorization: Bearer <key>` or `X-Api-Key`. Unknown and revoked keys get the same 401 body, so
 * a caller cannot probe which keys exist; a key without the route's scope gets 403.
 */
@Injectable()
@AuthenticatesApiKey()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = presentedKey(request);
    if (!presented) {
      throw UNAUTHORIZED();
    }
    const principal = await this.keys.verify(presented);
    if (!principal) {
      throw UNAUTHORIZED();
    }
    const required = this.reflector.getAllAndOverride<readonly ApiScope[] | undefined>(SCOPE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required && !required.some((scope) => holdsScope(principal, scope))) {
      throw new ApiError(403, 'FORBIDDEN', `This API key lacks the '${required.join("' or '")}' scope`);
    }
    request.principal = principal;

    return true;
  }
}

/** True when the principal may use a route that requires `scope`. */
export function holdsScope(principal: ApiPrincipal, scope: ApiScope): boolean {
  if (principal.scopes.has(scope)) {
    return true;
  }

  return scope !== ApiScope.Operator && principal.scopes.has(ApiScope.Admin);
}

function presentedKey(request: FastifyRequest): string | null {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);

    return match?.[1] ?? null;
  }
  const header = request.headers['x-api-key'];

  return typeof header === 'string' && header.length > 0 ? header : null;
}

/** The account a caller's reads and writes are limited to; null for an operator (every account). */
export const scopeOf = (principal: ApiPrincipal): string | null =>
  holdsScope(principal, ApiScope.Operator) ? null : principal.accountId;

/** The guard has run on every route here, so the principal is set; a missing one is refused, not assumed. */
export function principalOf(request: AuthenticatedRequest): ApiPrincipal {
  if (!request.principal) {
    throw UNAUTHORIZED();
  }

  return request.principal;
}

import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { SERVICES_CONFIG } from '../config/groups/config-groups';
import type { ServicesGroup } from '../config/groups/services.config';
import { ApiError } from './api-error';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The services' internal reads (`/internal/v1/...`, for intake): `Authorization: Bearer <INTERNAL_API_TOKEN>`
 * only, compared in constant time. Without a token configured the routes do not exist (404), so an
 * unconfigured deployment exposes nothing; a wrong or missing token is 401. API keys are not accepted here.
 */
@Injectable()
export class InternalTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(SERVICES_CONFIG) services: ServicesGroup) {
    this.expected = services.internalApiToken === '' ? null : digest(services.internalApiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === null) {
      throw new ApiError(404, 'NOT_FOUND', 'Route not found');
    }
    const header = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['authorization'];
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (token === '' || !timingSafeEqual(digest(token), this.expected)) {
      throw new ApiError(401, 'UNAUTHORIZED', 'An internal route needs the internal token');
    }

    return true;
  }
}

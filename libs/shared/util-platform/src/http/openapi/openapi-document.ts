import type { INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ApiExtension, ApiHeader, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { operationIdOf } from './operation-id';
import {
  applyApiConventions,
  ERROR_FORMAT_EXTENSION,
  ROUTE_AUTH_EXTENSION,
  type RouteAuth,
} from './openapi-conventions';

const AUTHENTICATES_API_KEY = 'sms:authenticates-api-key';

/**
 * Marks the guard that checks the gateway's API key: a route it guards is documented with both API key
 * schemes, a route without any guard as public (openapi-conventions.ts).
 */
export const AuthenticatesApiKey =
  (): ClassDecorator =>
  (target): void => {
    Reflect.defineMetadata(AUTHENTICATES_API_KEY, true, target);
  };

/** A creating POST that honours `Idempotency-Key` (api.md): documents the header, 409 and `Idempotent-Replayed`. */
export const ApiIdempotencyKey = (): MethodDecorator => ApiHeader({ name: 'Idempotency-Key', required: false });

/** A route that answers errors in a format of its own (e.g. a provider-compatible surface): no `Error` responses. */
export const ApiOwnErrorFormat = (): MethodDecorator & ClassDecorator => ApiExtension(ERROR_FORMAT_EXTENSION, 'own');

/** The OpenAPI document of this process's routes, with the API's conventions applied to every operation. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  markRouteAuth(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SMS gateway')
      .setDescription('One API in front of several SMS providers (api.md is the contract this document implements).')
      .setVersion('1')
      .build(),
    { operationIdFactory: operationIdOf },
  );

  return applyApiConventions(document);
}

/** Tells the conventions how each handler is guarded, from the guards Nest will really run. */
function markRouteAuth(app: INestApplication): void {
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | null;
      if (!controller || typeof controller !== 'function') {
        continue;
      }
      const classGuards = guardsOf(controller);
      const prototype = controller.prototype as object;
      for (const key of Object.getOwnPropertyNames(prototype)) {
        const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
        const handler: unknown = descriptor?.value;
        if (key === 'constructor' || typeof handler !== 'function' || !Reflect.hasMetadata(METHOD_METADATA, handler)) {
          continue;
        }
        const auth = routeAuthOf([...classGuards, ...guardsOf(handler)]);
        ApiExtension(ROUTE_AUTH_EXTENSION, auth)(prototype, key, descriptor as PropertyDescriptor);
      }
    }
  }
}

function guardsOf(target: object): unknown[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];
}

function routeAuthOf(guards: unknown[]): RouteAuth {
  if (guards.length === 0) {
    return 'public';
  }
  const checksApiKey = guards.some((guard) => {
    const type = typeof guard === 'function' ? guard : (guard as object).constructor;

    return Reflect.getMetadata(AUTHENTICATES_API_KEY, type) === true;
  });

  return checksApiKey ? 'api-key' : 'own';
}

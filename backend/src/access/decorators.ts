import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from './auth.types.js';
import type { Role } from './roles.js';

export const IS_PUBLIC = 'tributary:public';
export const ROLES = 'tributary:roles';

/** The route needs no token (login, webhooks, health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The roles allowed on a route; routes without it allow every role to read (GET) and admin/editor to write. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES, roles);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { user: AuthUser }>();
  return req.user;
});

import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { actingKey } from '../access/acting-key.js';
import type { AuthUser } from '../access/auth.types.js';

/** Runs an API-key request's handler with the key as the acting key (audit entries name it); other requests pass through untouched. */
@Injectable()
export class ActingKeyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    const key = user?.via === 'apiKey' ? user.apiKey : undefined;
    if (!key) return next.handle();
    const acting = { id: key.id, name: key.name, prefix: key.prefix };
    // The handler is called on subscription: subscribing inside run() gives it, and everything it awaits, the key.
    return new Observable((subscriber) => actingKey.run(acting, () => next.handle().subscribe(subscriber)));
  }
}

/**
 * The API key a request authenticated with, for as long as its handler runs (AsyncLocalStorage): the
 * audit log names it on every entry the request writes, whatever service writes it, without each
 * call site passing it along. Set by ActingKeyInterceptor (auth/) around the route handler.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuthApiKey } from './auth.types.js';

export type ActingKey = Pick<AuthApiKey, 'id' | 'name' | 'prefix'>;

export const actingKey = new AsyncLocalStorage<ActingKey>();

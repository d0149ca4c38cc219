import { CanActivate, createParamDecorator, ExecutionContext, Injectable, Logger, Provider, SetMetadata } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { ApiKeyScope, ApiKeyStore, AppConfig } from '@gallery/config';
import { ApiError } from './error-body';
import { TokenBucketLimiter } from './rate-limit';

const SCOPE_KEY = 'gallery:api-key-scope';

/** Marks a controller or route as needing an API key with this scope. */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(SCOPE_KEY, scope);

/** The caller as decided by the API key: the account comes from the key, never from the request. */
export interface Caller {
  accountId: string;
  keyId: string;
}

type RequestWithCaller = FastifyRequest & { caller?: Caller };

/** Injects the {@link Caller} that {@link ApiKeyGuard} attached to the request. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without RequireScope');
  return caller;
});

export const API_KEYS = Symbol('API_KEYS');

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

/**
 * Checks the API key of routes marked with {@link RequireScope}, then the key's rate limit. The
 * key is read from `Authorization: Bearer <key>` or `X-API-Key`; neither the key nor its digest is
 * ever logged or echoed, only the key's id.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: Pick<ApiKeyStore, 'find'>,
    private readonly limiter?: TokenBucketLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(SCOPE_KEY, [context.getHandler(), context.getClass()]);
    if (!scope) return true;

    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const key = presentedKey(request);
    if (!key) {
      throw new ApiError(401, 'unauthorized', 'missing API key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const record = this.keys.find(key);
    if (!record) throw new ApiError(401, 'unauthorized', 'invalid or revoked API key', undefined, { 'WWW-Authenticate': 'Bearer' });
    if (!record.scopes.includes(scope)) {
      throw new ApiError(403, 'forbidden', `API key ${record.id} lacks the "${scope}" scope this endpoint needs`);
    }

    const decision = this.limiter?.take(record.id);
    if (decision && !decision.allowed) {
      throw new ApiError(
        429,
        'rate_limited',
        `API key ${record.id} exceeded its request rate; retry after ${decision.retryAfterSeconds} s`,
        undefined,
        { 'Retry-After': String(decision.retryAfterSeconds) },
      );
    }
    request.caller = { accountId: record.accountId, keyId: record.id };
    return true;
  }
}

/**
 * The global guard of an app: keys from `config.apiKeysFile`, reloaded when it changes, and the
 * app's per-key rate limit. Register it as a provider of the app's root module.
 */
export function apiKeyGuardProvider(config: AppConfig, app: 'ingest' | 'query'): Provider {
  const logger = new Logger('ApiKeys');
  const store = new ApiKeyStore(config.apiKeysFile, { info: (message) => logger.log(message), error: (message) => logger.error(message) });
  store.watch(config.security.apiKeysReloadMs);
  const limiter = new TokenBucketLimiter(app === 'ingest' ? config.security.ingestRateLimit : config.security.queryRateLimit);
  return { provide: APP_GUARD, useFactory: (reflector: Reflector) => new ApiKeyGuard(reflector, store, limiter), inject: [Reflector] };
}

import { BeforeApplicationShutdown, Controller, Get, Inject, Logger, OnApplicationShutdown, Optional, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';

/** A dependency the app needs to do its work, checked by GET /ready. */
export interface ReadinessCheck {
  /** Name shown in the /ready response, such as `kafka` or `clickhouse`. */
  readonly name: string;
  /** Resolves when the dependency responds; rejects with the reason otherwise. */
  check(): Promise<void>;
  /** Releases connections the check keeps open; called once at shutdown. */
  close?(): Promise<void>;
}

/** Injection token of the app's {@link ReadinessCheck} list. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Time one readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

export interface ReadinessBody {
  status: 'ready' | 'not_ready';
  /** `ok`, or the reason the dependency failed. */
  checks: Record<string, string>;
}

/**
 * Liveness (GET /health: the process runs and serves HTTP) and readiness (GET /ready: every
 * dependency in {@link READINESS_CHECKS} answers). Readiness turns 503 as soon as shutdown starts,
 * so a load balancer stops sending requests before the server closes.
 */
@Controller()
export class HealthController implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(HealthController.name);
  private shuttingDown = false;

  constructor(@Optional() @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[] = []) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessBody> {
    const checks: Record<string, string> = {};
    if (this.shuttingDown) checks.shutdown = 'the app is shutting down';

    const results = await Promise.all(this.checks.map((check) => runWithTimeout(check)));
    for (const [index, failure] of results.entries()) {
      checks[this.checks[index].name] = failure ?? 'ok';
    }

    const ready = Object.values(checks).every((value) => value === 'ok');
    if (!ready) {
      reply.status(503);
      this.logger.warn({ checks }, 'readiness check failed');
    }
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  beforeApplicationShutdown(signal?: string): void {
    this.shuttingDown = true;
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: /ready returns 503 while requests in flight finish`);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const check of this.checks) {
      await check.close?.().catch((error: unknown) => this.logger.warn({ err: error, check: check.name }, `closing the ${check.name} readiness check failed`));
    }
  }
}

/** Runs one check; returns undefined when it passed, or the reason it failed. */
async function runWithTimeout(check: ReadinessCheck): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no response within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return undefined;
  } catch (error) {
    return `failed: ${(error as Error)?.message ?? String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

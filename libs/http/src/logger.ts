import { LoggerService } from '@nestjs/common';
import pino, { Logger as PinoLogger } from 'pino';

/** Creates the JSON logger of a service; keys and authorization headers are redacted. */
export function createRootLogger(service: string, level: string): PinoLogger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.apiKey', '*.key'], censor: '[redacted]' },
  });
}

/**
 * Adapts pino to Nest's LoggerService, so `new Logger(Class.name)` everywhere writes structured
 * JSON with the class name as `context`. A first argument that is an object is merged into the line.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    // Nest passes the context (class name) last; for errors it may pass a stack string before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = { context };

    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      Object.assign(fields, message);
      const text = typeof args[0] === 'string' ? (args.shift() as string) : undefined;
      this.root[level](fields, text);
      return;
    }
    if (message instanceof Error) fields.err = message;
    if (typeof args[0] === 'string' && level === 'error') fields.stack = args.shift();
    this.root[level](fields, message instanceof Error ? message.message : String(message));
  }
}

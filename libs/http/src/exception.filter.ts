import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { throwError } from 'rxjs';
import { ApiError, ErrorBody } from './error-body';

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

interface FastifyErrorShape {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Turns every error into one body shape. 4xx responses carry their message; 5xx responses carry
 * only a generic message and the request id, and the error with its stack goes to the log.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    // A hybrid app (the consumer) also routes its message handlers' errors here. Those must reach
    // the transport unchanged, so that it retries the batch instead of sending an HTTP reply.
    if (host.getType() !== 'http') return throwError(() => exception);

    const context = host.switchToHttp();
    const request = context.getRequest<FastifyRequest>();
    const reply = context.getResponse<FastifyReply>();
    const requestId = String(request.id);
    const { status, body, headers } = this.toResponse(exception, requestId);

    if (status >= 500) {
      this.logger.error(
        { err: exception, request_id: requestId, method: request.method, url: request.url },
        `request ${requestId} ${request.method} ${request.url} failed with ${status}`,
      );
    } else {
      this.logger.debug({ request_id: requestId, status, code: body.error.code }, body.error.message);
    }

    void reply.status(status).headers(headers).send(body);
  }

  private toResponse(exception: unknown, requestId: string): { status: number; body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof ApiError) {
      const body: ErrorBody = {
        error: { status: exception.status, code: exception.code, message: exception.message, request_id: requestId },
      };
      if (exception.details) body.error.details = exception.details;
      return { status: exception.status, body, headers: exception.headers };
    }

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? ((response as { message: string[] }).message.join('; '))
            : String((response as { message?: unknown }).message ?? exception.message);
      return { status, body: this.body(status, message, requestId), headers: {} };
    }

    // Errors raised by Fastify itself before routing: body too large, malformed JSON, wrong content type.
    const fastifyError = exception as FastifyErrorShape;
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      const status = fastifyError.statusCode;
      return { status, body: this.body(status, fastifyError.message ?? 'invalid request', requestId), headers: {} };
    }

    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    return {
      status,
      body: { error: { status, code: 'internal_error', message: `internal error; quote request id ${requestId} when reporting it`, request_id: requestId } },
      headers: {},
    };
  }

  private body(status: number, message: string, requestId: string): ErrorBody {
    return { error: { status, code: CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'), message, request_id: requestId } };
  }
}

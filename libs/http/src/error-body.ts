import { FieldError } from '@gallery/contract';

/** The body of every error response of every app. */
export interface ErrorBody {
  error: {
    status: number;
    /** Stable machine-readable code, such as `validation_failed` or `kafka_unavailable`. */
    code: string;
    message: string;
    /** Each rejected field, for validation errors. */
    details?: FieldError[];
    /** The request id, also logged, to find this request in the logs. */
    request_id: string;
  };
}

/** An error an app raises on purpose; the filter turns it into an {@link ErrorBody}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldError[],
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

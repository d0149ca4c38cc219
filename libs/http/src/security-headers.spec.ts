import { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeadersMiddleware } from './security-headers';

/** Runs the middleware against a response that records its headers. */
function headersOf(middleware: ReturnType<typeof securityHeadersMiddleware>): Map<string, string> {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  let nextCalls = 0;
  middleware({} as IncomingMessage, response as unknown as ServerResponse, () => nextCalls++);
  expect(nextCalls).toBe(1);
  return headers;
}

describe('security headers', () => {
  it('sets the same-origin policy and leaves HSTS to the proxy', () => {
    const headers = headersOf(securityHeadersMiddleware());
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(headers.has('strict-transport-security')).toBe(false);
  });

  it('sets the same headers on every call of one middleware', () => {
    const middleware = securityHeadersMiddleware();
    expect([...headersOf(middleware)]).toEqual([...headersOf(middleware)]);
  });
});

import { AccessLogRecord, parseCombinedLogLine, parseLogTime } from './combined-log-parser';

const SAMPLE_LINE =
  '192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 ' +
  '"http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) Chrome/32.0.1700.77"';

function parseOk(line: string): AccessLogRecord {
  const result = parseCombinedLogLine(line);
  if (!result.ok) throw new Error(`expected "${line}" to parse, got: ${result.reason}`);
  return result.record;
}

function parseFailureReason(line: string): string {
  const result = parseCombinedLogLine(line);
  if (result.ok) throw new Error(`expected "${line}" to be rejected, got ${JSON.stringify(result.record)}`);
  return result.reason;
}

describe('parseCombinedLogLine', () => {
  it('parses every field of a normal line', () => {
    expect(parseOk(SAMPLE_LINE)).toEqual({
      remoteAddress: '192.0.2.1',
      time: Date.UTC(2015, 4, 17, 10, 5, 3),
      method: 'GET',
      path: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 203023,
      referrer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/',
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) Chrome/32.0.1700.77',
    });
  });

  it('unescapes quotes inside quoted fields', () => {
    const record = parseOk(
      '198.51.100.7 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 10 "http://x/?q=\\"hi\\"" "Agent \\"quoted\\" \\\\ end"',
    );

    expect(record.referrer).toBe('http://x/?q="hi"');
    expect(record.userAgent).toBe('Agent "quoted" \\ end');
    expect(record.status).toBe(200);
  });

  it('reads - bytes as 0', () => {
    const record = parseOk('192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 304 - "-" "curl/8.0"');

    expect(record.bytes).toBe(0);
    expect(record.referrer).toBe('-');
  });

  it('applies the timezone offset', () => {
    const plus = parseOk('192.0.2.9 - - [17/May/2015:12:05:03 +0200] "GET /a.png HTTP/1.1" 200 1 "-" "-"');
    const minus = parseOk('192.0.2.9 - - [17/May/2015:05:35:03 -0430] "GET /a.png HTTP/1.1" 200 1 "-" "-"');

    expect(new Date(plus.time).toISOString()).toBe('2015-05-17T10:05:03.000Z');
    expect(new Date(minus.time).toISOString()).toBe('2015-05-17T10:05:03.000Z');
  });

  it('strips query string and fragment', () => {
    const record = parseOk('192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET /a/b.png?size=large#top HTTP/1.1" 200 1 "-" "-"');

    expect(record.path).toBe('/a/b.png');
  });

  it('takes the path of an absolute-form target', () => {
    const record = parseOk('192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET http://example.com/a/b.png?x=1 HTTP/1.1" 200 1 "-" "-"');

    expect(record.path).toBe('/a/b.png');
  });

  it('accepts IPv6 addresses and HTTP/0.9 request lines', () => {
    const record = parseOk('2001:db8::2ee - - [17/May/2015:10:05:03 +0000] "GET /a.png" 200 1 "-" "-"');

    expect(record.remoteAddress).toBe('2001:db8::2ee');
    expect(record.protocol).toBe('');
  });

  it.each([
    ['an empty line', ''],
    ['a Common Log Format line without referrer and user agent', '192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 1'],
    ['an unterminated quote', '192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 1 "-" "agent'],
    ['a request line of -', '192.0.2.9 - - [17/May/2015:10:05:03 +0000] "-" 408 - "-" "-"'],
    ['a non-numeric status', '192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" abc 1 "-" "-"'],
    ['a status above 599', '192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 999 1 "-" "-"'],
    ['a negative byte count', '192.0.2.9 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 -5 "-" "-"'],
    ['an unknown month', '192.0.2.9 - - [17/Mai/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 1 "-" "-"'],
    ['a day that does not exist', '192.0.2.9 - - [31/Apr/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 1 "-" "-"'],
  ])('rejects %s', (_case, line) => {
    expect(parseFailureReason(line)).toMatch(/\S/);
  });

  it('names the invalid time in the reason', () => {
    const reason = parseFailureReason('192.0.2.9 - - [17/May/2015:25:05:03 +0000] "GET /a.png HTTP/1.1" 200 1 "-" "-"');

    expect(reason).toContain('17/May/2015:25:05:03 +0000');
  });
});

describe('parseLogTime', () => {
  it('parses a leap day', () => {
    expect(parseLogTime('29/Feb/2016:00:00:00 +0000')).toBe(Date.UTC(2016, 1, 29));
  });

  it('rejects the leap day of a common year', () => {
    expect(parseLogTime('29/Feb/2015:00:00:00 +0000')).toBeNull();
  });

  it('rejects offsets beyond 14 hours', () => {
    expect(parseLogTime('17/May/2015:10:05:03 +1500')).toBeNull();
  });
});

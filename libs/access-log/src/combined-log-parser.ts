/** One request from a web server access log in Combined Log Format. */
export interface AccessLogRecord {
  /** The client address as logged (`%h`): an IPv4 or IPv6 address, or a host name. */
  remoteAddress: string;
  /** When the server received the request, in epoch milliseconds (UTC). */
  time: number;
  method: string;
  /** The request path without query string or fragment, still percent-encoded. */
  path: string;
  /** Such as `HTTP/1.1`; empty for an HTTP/0.9 request line, which has no protocol. */
  protocol: string;
  status: number;
  /** Response body bytes; 0 when the log shows `-` (no body). */
  bytes: number;
  /** `-` when the client sent no Referer header, as the log shows it. */
  referrer: string;
  /** `-` when the client sent no User-Agent header, as the log shows it. */
  userAgent: string;
}

export type ParseResult = { ok: true; record: AccessLogRecord } | { ok: false; reason: string };

// host ident authuser [time] "request" status bytes "referrer" "user agent"
// Quoted fields may contain backslash escapes such as \" and \\, because Apache httpd 2.0.46 and
// later escape request and header values (mod_log_config documentation).
const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const COMBINED_LINE = new RegExp(
  `^(\\S+) (\\S+) (\\S+) \\[([^\\]]*)\\] ${QUOTED} (\\S+) (\\S+) ${QUOTED} ${QUOTED}\\s*$`,
);

// dd/Mon/yyyy:HH:MM:SS ±hhmm, as written by %t.
const LOG_TIME = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

/** Offsets beyond ±14:00 do not exist in any time zone, so such a time is corrupt. */
const MAX_OFFSET_MINUTES = 14 * 60;

// METHOD SP request-target [SP protocol]; HTTP/0.9 request lines have no protocol.
const REQUEST_LINE = /^([A-Za-z][A-Za-z0-9_-]*) (\S+)(?: (\S+))?$/;

/**
 * Parses one line of Combined Log Format. Returns a failure with the reason, never throws, so one
 * corrupt line cannot stop an import.
 */
export function parseCombinedLogLine(line: string): ParseResult {
  const match = COMBINED_LINE.exec(line);
  if (!match) {
    return { ok: false, reason: 'does not match Combined Log Format: host ident user [time] "request" status bytes "referrer" "user agent"' };
  }
  const [, remoteAddress, , , timeText, requestText, statusText, bytesText, referrerText, userAgentText] = match;

  const time = parseLogTime(timeText);
  if (time === null) {
    return { ok: false, reason: `invalid time [${timeText}]: expected dd/Mon/yyyy:HH:MM:SS ±hhmm naming a real date` };
  }

  const request = REQUEST_LINE.exec(unescapeQuoted(requestText));
  if (!request) {
    return { ok: false, reason: `invalid request line "${requestText}": expected METHOD PATH PROTOCOL` };
  }
  const [, method, target, protocol = ''] = request;

  if (!/^\d{3}$/.test(statusText) || Number(statusText) < 100 || Number(statusText) > 599) {
    return { ok: false, reason: `invalid status ${statusText}: expected a number from 100 to 599` };
  }

  if (bytesText !== '-' && !/^\d{1,15}$/.test(bytesText)) {
    return { ok: false, reason: `invalid byte count ${bytesText}: expected a non-negative integer or -` };
  }

  return {
    ok: true,
    record: {
      remoteAddress,
      time,
      method,
      path: pathOfRequestTarget(target),
      protocol,
      status: Number(statusText),
      bytes: bytesText === '-' ? 0 : Number(bytesText),
      referrer: unescapeQuoted(referrerText),
      userAgent: unescapeQuoted(userAgentText),
    },
  };
}

/** Parses a `%t` time such as `17/May/2015:10:05:03 +0200` into epoch milliseconds, or null. */
export function parseLogTime(text: string): number | null {
  const match = LOG_TIME.exec(text);
  if (!match) return null;

  const [, dayText, monthName, yearText, hourText, minuteText, secondText, sign, offsetHourText, offsetMinuteText] = match;
  const month = MONTHS[monthName];
  if (month === undefined) return null;

  const year = Number(yearText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  // Servers log Unix time, which has no leap seconds, so 59 is the maximum second.
  if (hour > 23 || minute > 59 || second > 59) return null;

  const localAsUtc = Date.UTC(year, month, day, hour, minute, second);
  // Date.UTC rolls 31/Apr over into 1/May, so a changed day means the date does not exist.
  if (new Date(localAsUtc).getUTCDate() !== day) return null;

  const offsetMinuteValue = Number(offsetMinuteText);
  if (offsetMinuteValue > 59) return null;
  const offsetMinutes = (Number(offsetHourText) * 60 + offsetMinuteValue) * (sign === '-' ? -1 : 1);
  if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return null;

  // The logged time is local time at the given offset, so UTC = local - offset.
  return localAsUtc - offsetMinutes * 60_000;
}

/** Replaces `\"` with `"` and `\\` with `\`; other escapes such as `\x0b` stay as logged. */
function unescapeQuoted(text: string): string {
  return text.replace(/\\(["\\])/g, '$1');
}

/**
 * Returns the path of a request target: the query string and fragment removed, and the scheme
 * and host removed from the absolute form (`GET http://host/path`) that proxies receive.
 */
function pathOfRequestTarget(target: string): string {
  let path = target;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(path);
  if (absolute) path = path.slice(absolute[0].length) || '/';

  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

/**
 * Expected photo download counts of an access log, computed independently of libs/access-log so
 * that tests can check the importer and the query API against them. It repeats only the rules
 * that decide whether a line is a photo download, its collection, status and bytes, and it reads
 * the whole file into memory, so use it on test-sized logs only.
 */
import { readFileSync } from 'node:fs';

/** Photo download totals of one collection. `downloads` = completed + partial + failed. */
export interface CollectionPhotoDownloads {
  downloads: number;
  /** Sum of bytes_transferred, which is the log's byte count (0 for `-`). */
  bytes: number;
  completed: number;
  partial: number;
  failed: number;
}

// ip ident user [time] "METHOD target PROTOCOL" status bytes "referrer" "user agent", where quoted
// fields may contain \" escapes.
const LINE =
  /^\S+ \S+ \S+ \[(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) [+-](\d{2})(\d{2})\] "([A-Za-z][A-Za-z0-9_-]*) (\S+)(?: \S+)?" (\d{3}) (\d+|-) "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*"\s*$/;

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const PHOTO_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'tif', 'tiff', 'bmp', 'heic', 'heif', 'avif', 'dng', 'cr2', 'nef', 'arw']);

/**
 * Returns photo download totals per collection id for a Combined Log Format file, counting every
 * line the importer turns into a `photo.downloaded` event.
 *
 * The rules:
 * - Lines that do not parse, or whose time names no real date, are no download.
 * - Only GET requests count, and only when the URL-decoded last path segment ends in a photo extension.
 * - Status 200 is completed, 206 partial, 400 to 599 failed. Any other status is no download.
 * - A path longer than 256 characters once written as printable ASCII is no download.
 * - The collection is the first `depth` directories, URL-decoded and joined with `:`. Characters
 *   outside `A-Za-z0-9._:~-` become `-`, leading non-alphanumerics are dropped, the id is cut to
 *   128 characters, and it is `root` when nothing is left.
 * - Identical lines each count as one download.
 */
export function computePhotoDownloadsByCollection(filePath: string, depth = 2): Map<string, CollectionPhotoDownloads> {
  const totals = new Map<string, CollectionPhotoDownloads>();
  const lines = readFileSync(filePath, 'utf8').split('\n');

  for (const rawLine of lines) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const match = LINE.exec(line);
    if (!match) continue;
    const [, day, monthName, year, hour, minute, second, offsetHours, offsetMinutes, method, target, statusText, bytesText] = match;
    if (!isRealTime(day, monthName, year, hour, minute, second, offsetHours, offsetMinutes)) continue;
    if (method !== 'GET') continue;

    // Drop a scheme and host (absolute-form targets), then the query string and fragment.
    const path = target.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '').split(/[?#]/)[0] || '/';
    const segments = path.split('/').filter((segment) => segment.length > 0);
    const fileName = safeDecode(segments.length > 0 ? segments[segments.length - 1] : '');
    const dot = fileName.lastIndexOf('.');
    if (dot === -1 || dot === fileName.length - 1) continue;
    if (!PHOTO_EXTENSIONS.has(fileName.slice(dot + 1).toLowerCase())) continue;

    const status = Number(statusText);
    let outcome: 'completed' | 'partial' | 'failed';
    if (status === 200) outcome = 'completed';
    else if (status === 206) outcome = 'partial';
    else if (status >= 400 && status <= 599) outcome = 'failed';
    else continue;

    if (printableAsciiLength(safeDecode(path)) > 256) continue;

    const directories = segments.slice(0, -1).slice(0, depth).map(safeDecode);
    let collection = directories.join(':').replace(/[^A-Za-z0-9._:~-]/gu, '-');
    while (collection.length > 0 && !/[A-Za-z0-9]/.test(collection[0])) collection = collection.slice(1);
    collection = collection.slice(0, 128) || 'root';

    const entry = totals.get(collection) ?? { downloads: 0, bytes: 0, completed: 0, partial: 0, failed: 0 };
    entry.downloads += 1;
    entry.bytes += bytesText === '-' ? 0 : Number(bytesText);
    entry[outcome] += 1;
    totals.set(collection, entry);
  }
  return totals;
}

/** Returns whether a logged time names a real date and time, with an offset within ±14:00. */
function isRealTime(...[day, monthName, year, hour, minute, second, offsetHours, offsetMinutes]: string[]): boolean {
  const month = MONTH_NAMES.indexOf(monthName);
  if (month === -1) return false;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(offsetMinutes) > 59) return false;
  if (Number(offsetHours) * 60 + Number(offsetMinutes) > 14 * 60) return false;
  const date = new Date(Date.UTC(Number(year), month, Number(day)));
  return date.getUTCDate() === Number(day) && date.getUTCMonth() === month;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Length of the text once every character outside 0x21 to 0x7E is written as %XX per UTF-8 byte. */
function printableAsciiLength(text: string): number {
  let length = 0;
  for (const character of text) {
    const code = character.codePointAt(0) as number;
    if (code >= 0x21 && code <= 0x7e) length += 1;
    else length += 3 * Buffer.byteLength(character, 'utf8');
  }
  return length;
}

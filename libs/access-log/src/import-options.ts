import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BODY_BYTES, MAX_BATCH_SIZE } from './access-log-import';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, DEFAULT_REQUEST_TIMEOUT_MS } from './batch-poster';
import {
  DEFAULT_CLIENT_SALT,
  DEFAULT_COLLECTION_DEPTH,
  DEFAULT_PHOTO_EXTENSIONS,
  DEFAULT_VIDEO_EXTENSIONS,
} from './download-event-mapper';

export const DEFAULT_INGEST_URL = 'http://127.0.0.1:3000';
/** The ingest key of the demo account in config/api-keys.dev.json; valid only for local stacks. */
export const DEV_INGEST_KEY = 'gak_ingest_demo_3f9c1b7e5a2d4c8f';

/** Settings of one run of the import command. */
export interface ImportCommandOptions {
  /** Path of the log file, or `-` for standard input. */
  file: string;
  url: string;
  key: string;
  /** True when no key was given and the development key is used. */
  usingDevKey: boolean;
  batchSize: number;
  maxBodyBytes: number;
  concurrency: number;
  maxAttempts: number;
  requestTimeoutMs: number;
  collectionDepth: number;
  clientSalt: string;
  photoExtensions: string[];
  videoExtensions: string[];
  dryRun: boolean;
  progress: boolean;
}

export type ParsedCommand =
  | { kind: 'run'; options: ImportCommandOptions }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

/** Returns the `--help` text. */
export function importHelpText(program = 'node dist/tools/import-access-log.js'): string {
  return `Usage: ${program} [options] FILE

Imports photo and video downloads from a web server access log in Combined Log Format
into the ingest API, as photo.downloaded and video.download events. FILE may be - to
read standard input. Re-importing the same file with the same options sends the same
event ids, so its downloads are not counted twice. A different --collection-depth
changes the collection ids, and the same downloads then count again there.

Only GET requests for files with a photo or video extension count. Status 200 becomes
completed, 206 partial, 4xx and 5xx failed; 1xx and 3xx (such as 304 Not Modified) are
skipped, because no file was sent.

Options:
  --url URL                 Ingest API base URL. Default: $INGEST_URL, else ${DEFAULT_INGEST_URL}
  --key KEY                 Ingest key (sent as a Bearer token). Default: $INGEST_KEY, else the
                            development key of the demo account
  --batch-size N            Events per request, 1 to ${MAX_BATCH_SIZE}. Default: ${DEFAULT_BATCH_SIZE}
  --max-body-bytes N        Largest request body in bytes; a batch is sent early rather than
                            exceed it. Default: ${DEFAULT_MAX_BODY_BYTES} (the API's default limit)
  --concurrency N           Requests in flight at once. Default: ${DEFAULT_CONCURRENCY}
  --max-attempts N          Attempts per request before the import stops, counting the first.
                            429, 502, 503, 504 and network errors are retried with exponential
                            backoff (1 s doubling up to 30 s) or after Retry-After. Default: ${DEFAULT_MAX_ATTEMPTS}
  --timeout SECONDS         Time to wait for a response before retrying. Default: ${DEFAULT_REQUEST_TIMEOUT_MS / 1000}
  --collection-depth N      Leading directories of the path that form the collection id;
                            /a/b/c/photo.jpg becomes a:b with 2. 0 puts every file in "root".
                            Default: ${DEFAULT_COLLECTION_DEPTH}
  --client-salt TEXT        Secret key of the HMAC that turns address and user agent into a
                            client id. Default: $ACCESS_LOG_CLIENT_SALT, else the public value
                            "${DEFAULT_CLIENT_SALT}", which does not hide who the clients are
  --photo-extensions LIST   Comma-separated photo extensions. Default:
                            ${DEFAULT_PHOTO_EXTENSIONS.join(',')}
  --video-extensions LIST   Comma-separated video extensions. Default:
                            ${DEFAULT_VIDEO_EXTENSIONS.join(',')}
  --dry-run                 Parse, convert and validate every line and print the summary, but
                            send nothing
  --no-progress             Print no progress while importing
  -h, --help                Print this help

Exit status: 0 when every event was accepted (or, with --dry-run, was valid), 1 when any
event was not accepted, 2 for invalid options.
`;
}

/** Parses the command line arguments (without `node` and the script) and the environment. */
export function parseImportArguments(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCommand {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    return { kind: 'error', message: `${(error as Error).message}; run with --help for the options` };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help', text: importHelpText() };

  if (positionals.length !== 1) {
    const message =
      positionals.length === 0
        ? 'missing FILE: pass the access log path, or - for standard input'
        : `expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`;
    return { kind: 'error', message };
  }

  try {
    const url = values.url ?? env.INGEST_URL ?? DEFAULT_INGEST_URL;
    validateHttpUrl(url);
    const key = values.key ?? env.INGEST_KEY ?? DEV_INGEST_KEY;

    return {
      kind: 'run',
      options: {
        file: positionals[0],
        url,
        key,
        usingDevKey: key === DEV_INGEST_KEY,
        batchSize: readInteger('--batch-size', values['batch-size'], DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE),
        maxBodyBytes: readInteger('--max-body-bytes', values['max-body-bytes'], DEFAULT_MAX_BODY_BYTES, 1024, 2 ** 31),
        concurrency: readInteger('--concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1, 64),
        maxAttempts: readInteger('--max-attempts', values['max-attempts'], DEFAULT_MAX_ATTEMPTS, 1, 100),
        requestTimeoutMs:
          readInteger('--timeout', values.timeout, DEFAULT_REQUEST_TIMEOUT_MS / 1000, 1, 3600) * 1000,
        collectionDepth: readInteger('--collection-depth', values['collection-depth'], DEFAULT_COLLECTION_DEPTH, 0, 64),
        clientSalt: values['client-salt'] ?? env.ACCESS_LOG_CLIENT_SALT ?? DEFAULT_CLIENT_SALT,
        photoExtensions: readList('--photo-extensions', values['photo-extensions'], DEFAULT_PHOTO_EXTENSIONS),
        videoExtensions: readList('--video-extensions', values['video-extensions'], DEFAULT_VIDEO_EXTENSIONS),
        dryRun: values['dry-run'] ?? false,
        progress: !(values['no-progress'] ?? false),
      },
    };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      'batch-size': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      concurrency: { type: 'string' },
      'max-attempts': { type: 'string' },
      timeout: { type: 'string' },
      'collection-depth': { type: 'string' },
      'client-salt': { type: 'string' },
      'photo-extensions': { type: 'string' },
      'video-extensions': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function readInteger(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new Error(`invalid ${option} "${text}": expected an integer from ${min} to ${max}`);
  }
  return Number(text);
}

function readList(option: string, text: string | undefined, fallback: readonly string[]): string[] {
  if (text === undefined) return [...fallback];
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) {
    throw new Error(`invalid ${option} "${text}": expected a comma-separated list such as jpg,png`);
  }
  for (const item of items) {
    // The extension becomes the event's format, which the contract limits to these characters.
    if (!/^\.?[A-Za-z0-9][A-Za-z0-9.+-]{0,15}$/.test(item)) {
      throw new Error(`invalid ${option} entry "${item}": an extension must be 1 to 16 letters, digits or . + -, starting with a letter or digit`);
    }
  }
  return items;
}

function validateHttpUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid --url "${text}": expected an absolute URL such as ${DEFAULT_INGEST_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`invalid --url "${text}": expected an http or https URL`);
  }
}

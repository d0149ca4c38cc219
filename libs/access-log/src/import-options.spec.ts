import { DEV_INGEST_KEY, ImportCommandOptions, parseImportArguments } from './import-options';

function parseRun(argv: string[], env: NodeJS.ProcessEnv = {}): ImportCommandOptions {
  const parsed = parseImportArguments(argv, env);
  if (parsed.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function parseError(argv: string[]): string {
  const parsed = parseImportArguments(argv, {});
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe('parseImportArguments', () => {
  it('uses the defaults', () => {
    const options = parseRun(['access.log']);

    expect(options).toMatchObject({
      file: 'access.log',
      url: 'http://127.0.0.1:3000',
      key: DEV_INGEST_KEY,
      usingDevKey: true,
      batchSize: 500,
      concurrency: 2,
      collectionDepth: 2,
      dryRun: false,
      progress: true,
    });
  });

  it('reads url, key and salt from the environment', () => {
    const options = parseRun(['-'], { INGEST_URL: 'http://[::1]:3100', INGEST_KEY: 'gak_x', ACCESS_LOG_CLIENT_SALT: 's3cret' });

    expect(options.file).toBe('-');
    expect(options.url).toBe('http://[::1]:3100');
    expect(options.key).toBe('gak_x');
    expect(options.usingDevKey).toBe(false);
    expect(options.clientSalt).toBe('s3cret');
  });

  it('lets options override the environment', () => {
    const options = parseRun(['--url', 'http://127.0.0.1:9', '--key', 'gak_y', 'f.log'], { INGEST_URL: 'http://127.0.0.1:1', INGEST_KEY: 'gak_x' });

    expect(options.url).toBe('http://127.0.0.1:9');
    expect(options.key).toBe('gak_y');
  });

  it('parses every option', () => {
    const options = parseRun([
      '--batch-size=1000',
      '--max-body-bytes=2048',
      '--concurrency=4',
      '--max-attempts=3',
      '--timeout=5',
      '--collection-depth=0',
      '--client-salt=pepper',
      '--photo-extensions=jpg, png',
      '--video-extensions=mp4',
      '--dry-run',
      '--no-progress',
      'f.log',
    ]);

    expect(options).toMatchObject({
      batchSize: 1000,
      maxBodyBytes: 2048,
      concurrency: 4,
      maxAttempts: 3,
      requestTimeoutMs: 5000,
      collectionDepth: 0,
      clientSalt: 'pepper',
      photoExtensions: ['jpg', 'png'],
      videoExtensions: ['mp4'],
      dryRun: true,
      progress: false,
    });
  });

  it('returns help', () => {
    const parsed = parseImportArguments(['--help'], {});

    if (parsed.kind !== 'help') throw new Error(`expected help, got ${JSON.stringify(parsed)}`);
    expect(parsed.text).toContain('--batch-size N');
    expect(parsed.text).toContain('--dry-run');
  });

  it.each([
    [['--batch-size=1001', 'f.log'], 'invalid --batch-size "1001": expected an integer from 1 to 1000'],
    [['--concurrency=0', 'f.log'], 'invalid --concurrency "0"'],
    [['--url=ftp://host', 'f.log'], 'invalid --url "ftp://host": expected an http or https URL'],
    [['--photo-extensions=,', 'f.log'], 'invalid --photo-extensions ","'],
    [['--video-extensions=mp4,b d', 'f.log'], 'invalid --video-extensions entry "b d"'],
    [[], 'missing FILE'],
    [['a.log', 'b.log'], 'expected one FILE, got 2'],
    [['--bogus', 'f.log'], '--bogus'],
  ])('rejects %j', (argv, message) => {
    expect(parseError(argv)).toContain(message);
  });
});

/**
 * Manages the API keys file that the ingest and query apps read (API_KEYS_FILE). The apps reload
 * the file within API_KEYS_RELOAD_MS of a change, so created and revoked keys take effect without
 * a restart. Run it with --help for the commands.
 */
import { parseArgs } from 'node:util';
import { createApiKey, hashApiKey, listApiKeys, revokeApiKey } from '@gallery/config';

const HELP = `Usage: node dist/tools/keys.js <command> [options]

Commands:
  create --id <key id> --account <account id> --scope <ingest|read|admin> [--scope …]
         Adds a key and prints it once on stdout; the file keeps only its SHA-256.
  list   Prints id, account, scopes, created_at and revoked_at of every key; never a key.
  revoke --id <key id>
         Marks the key revoked; the apps reject it at their next reload of the file.
  hash   Reads a key from stdin and prints its SHA-256, the "key_sha256" of an entry.

Options:
  --file <path>   keys file (default: $API_KEYS_FILE, else config/api-keys.dev.json)
  --help          this text
`;

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      id: { type: 'string' },
      account: { type: 'string' },
      scope: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return values.help ? EXIT_OK : EXIT_USAGE;
  }
  const file = values.file ?? process.env.API_KEYS_FILE ?? 'config/api-keys.dev.json';

  switch (command) {
    case 'create': {
      if (!values.id || !values.account || !values.scope) {
        process.stderr.write('keys create: --id, --account and at least one --scope are required\n');
        return EXIT_USAGE;
      }
      const key = createApiKey(file, { id: values.id, accountId: values.account, scopes: values.scope });
      process.stderr.write(`created key ${values.id} for account ${values.account} in ${file}; it is shown only now:\n`);
      process.stdout.write(`${key}\n`);
      return EXIT_OK;
    }
    case 'list':
      for (const entry of listApiKeys(file)) process.stdout.write(`${JSON.stringify(entry)}\n`);
      return EXIT_OK;
    case 'revoke': {
      if (!values.id) {
        process.stderr.write('keys revoke: --id is required\n');
        return EXIT_USAGE;
      }
      const entry = revokeApiKey(file, values.id);
      process.stdout.write(`revoked key ${entry.id} of account ${entry.account_id} at ${entry.revoked_at}\n`);
      return EXIT_OK;
    }
    case 'hash': {
      const key = await readStdin();
      if (key.length < 16) {
        process.stderr.write('keys hash: expected a key of at least 16 characters on stdin\n');
        return EXIT_USAGE;
      }
      process.stdout.write(`${hashApiKey(key).toString('hex')}\n`);
      return EXIT_OK;
    }
    default:
      process.stderr.write(`keys: unknown command ${command}; run with --help\n`);
      return EXIT_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`keys: ${(error as Error).message}\n`);
    process.exit(EXIT_FAILED);
  },
);

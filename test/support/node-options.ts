import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Returns the Node options an app runs with in production (scripts/node-options.sh), so tests run it the same way. */
export function appNodeOptions(app: string): string[] {
  const script = join(__dirname, '..', '..', 'scripts', 'node-options.sh');
  return execFileSync('bash', [script, app])
    .toString()
    .trim()
    .split(/\s+/)
    .filter((option) => option.length > 0);
}

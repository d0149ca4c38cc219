import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// This file runs from tools/ under ts-node or jest, and from dist/tools/ once built.
const SCRIPT = [join(__dirname, '..', 'scripts', 'node-options.sh'), join(__dirname, '..', '..', 'scripts', 'node-options.sh')].find((path) => existsSync(path));

/**
 * Returns the Node options an app runs with in production, from scripts/node-options.sh, so the
 * tests and the benchmark start the apps the same way. `override` replaces them when set.
 */
export function appNodeOptions(app: string, override?: string): string[] {
  if (!SCRIPT) throw new Error(`scripts/node-options.sh not found above ${__dirname}`);
  const options = override ?? execFileSync('bash', [SCRIPT, app]).toString();
  return options
    .trim()
    .split(/\s+/)
    .filter((option) => option.length > 0);
}

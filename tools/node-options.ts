import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Finds a script of scripts/: this file runs from tools/ under ts-node or jest, and from dist/tools/ once built. */
function findScript(name: string): string | undefined {
  return [join(__dirname, '..', 'scripts', name), join(__dirname, '..', '..', 'scripts', name)].find((path) => existsSync(path));
}

const SCRIPTS = { nodeOptions: findScript('node-options.sh'), nice: findScript('app-nice.sh') };

/** Runs a script of scripts/ for one app and returns what it printed. */
function scriptOutput(name: string, path: string | undefined, app: string): string {
  if (!path) throw new Error(`scripts/${name} not found above ${__dirname}`);
  // The environment is passed on explicitly: under jest, process.env is the test's own copy.
  return execFileSync('bash', [path, app], { env: process.env }).toString();
}

/**
 * Returns the Node options an app runs with in production, from scripts/node-options.sh, so the
 * tests and the benchmark start the apps the same way. `override` replaces them when set.
 */
export function appNodeOptions(app: string, override?: string): string[] {
  const options = override ?? scriptOutput('node-options.sh', SCRIPTS.nodeOptions, app);
  return options
    .trim()
    .split(/\s+/)
    .filter((option) => option.length > 0);
}

/** Returns the CPU priority (nice value) an app runs at, from scripts/app-nice.sh. */
export function appNice(app: string): number {
  const text = scriptOutput('app-nice.sh', SCRIPTS.nice, app).trim();
  const nice = Number(text);
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) {
    throw new Error(`${app.toUpperCase()}_NICE must be a whole number from -20 to 19, got ${JSON.stringify(text)} (from scripts/app-nice.sh)`);
  }
  return nice;
}

/**
 * Returns the command that starts an app's `main` with `nodeOptions` at the app's CPU priority
 * ({@link appNice}): Node itself, or `nice -n`, which execs Node in the same process so that the
 * child's pid is the app's.
 */
export function appCommand(app: string, main: string, nodeOptions: readonly string[]): { file: string; args: string[] } {
  const command = [process.execPath, ...nodeOptions, main];
  const nice = appNice(app);
  const [file, ...args] = nice === 0 ? command : ['nice', '-n', String(nice), ...command];
  return { file, args };
}

import { statSync } from 'node:fs';
import { ApiKeyRecord, findApiKey, loadApiKeys } from './api-keys';

/** Receives reload outcomes; the apps pass their logger. Messages never contain keys or digests. */
export interface ApiKeyStoreLogger {
  info(message: string): void;
  error(message: string): void;
}

/**
 * The active API keys of one app, reloaded when the keys file changes, so that a key created or
 * revoked with the `keys` command takes effect within one poll interval and without a restart.
 *
 * The file's modification time, size and inode are polled. The `keys` command renames a new file
 * over the old one, which changes the inode even within one mtime tick. A file that
 * cannot be read or is invalid leaves the previous keys in force and is logged, so an edit in
 * progress never locks everyone out or lets a revoked key back in.
 */
export class ApiKeyStore {
  private records: readonly ApiKeyRecord[];
  private signature: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly logger: ApiKeyStoreLogger = { info: () => undefined, error: () => undefined },
  ) {
    // A start with an invalid file fails loudly: there are no previous keys to keep.
    this.signature = this.fileSignature();
    this.records = loadApiKeys(path);
  }

  /** Finds the record of a presented key in constant time; see {@link findApiKey}. */
  find(presented: string): ApiKeyRecord | undefined {
    return findApiKey(this.records, presented);
  }

  get size(): number {
    return this.records.length;
  }

  /** Starts polling every `intervalMs`; the timer does not keep the process alive. */
  watch(intervalMs: number): this {
    this.stop();
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.reloadIfChanged(), intervalMs);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reloads the file when its signature changed; returns whether new keys are in force. */
  reloadIfChanged(): boolean {
    let signature: string;
    try {
      signature = this.fileSignature();
    } catch (error) {
      this.logger.error(`API keys file ${this.path} cannot be read (${(error as Error).message}); keeping the ${this.records.length} keys loaded before`);
      return false;
    }
    if (signature === this.signature) return false;

    try {
      this.records = loadApiKeys(this.path);
      this.signature = signature;
      this.logger.info(`reloaded API keys file ${this.path}: ${this.records.length} active keys`);
      return true;
    } catch (error) {
      // The signature is kept, so a file that stays invalid is logged once per change, not per poll.
      this.signature = signature;
      this.logger.error(`${(error as Error).message}; keeping the ${this.records.length} keys loaded before until the file is fixed`);
      return false;
    }
  }

  private fileSignature(): string {
    const stat = statSync(this.path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  }
}

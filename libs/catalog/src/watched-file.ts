import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';

export interface WatchedFileHooks {
  /** A new version was loaded (sha256 prefix of the file's bytes). */
  onReload?: (version: string) => void;
  /** The file changed but could not be read or validated: the last good version stays in force. */
  onError?: (err: Error) => void;
}

/**
 * A validated JSON file that is re-read when it changes, without a restart. The first load happens in the
 * constructor and throws (a service must not boot on a bad file); later loads never throw: a bad edit keeps the
 * last good value and is reported through onError. Polling by stat (fs.watchFile) rather than fs.watch, because
 * editors and deploy tools replace files by rename, which fs.watch stops following.
 */
export class WatchedFile<T> {
  private value: T;
  private versionHash: string;
  private watching = false;

  constructor(
    readonly path: string,
    private readonly parse: (raw: unknown, source: string) => T,
    private readonly hooks: WatchedFileHooks = {},
  ) {
    const { value, version } = this.load();
    this.value = value;
    this.versionHash = version;
  }

  get current(): T {
    return this.value;
  }

  get version(): string {
    return this.versionHash;
  }

  /** Starts watching; `intervalMs` is the stat polling period. */
  watch(intervalMs = 1_000): this {
    if (this.watching) return this;
    this.watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, (curr: Stats, prev: Stats) => {
      if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
      this.reload();
    });
    return this;
  }

  /** Re-reads the file now; returns whether a new version is in force. */
  reload(): boolean {
    try {
      const { value, version } = this.load();
      if (version === this.versionHash) return false;
      this.value = value;
      this.versionHash = version;
      this.hooks.onReload?.(version);
      return true;
    } catch (err) {
      this.hooks.onError?.(err as Error);
      return false;
    }
  }

  close(): void {
    if (!this.watching) return;
    this.watching = false;
    unwatchFile(this.path);
  }

  private load(): { value: T; version: string } {
    let text: string;
    let raw: unknown;
    try {
      text = readFileSync(this.path, 'utf8');
      raw = JSON.parse(text);
    } catch (err) {
      throw new Error(`cannot read ${this.path}: ${(err as Error).message}`);
    }
    return { value: this.parse(raw, this.path), version: createHash('sha256').update(text).digest('hex').slice(0, 12) };
  }
}

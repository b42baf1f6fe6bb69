// Holds the current Snapshot and swaps it atomically on reload. A request reads `current` once
// at its start and keeps that object, so a reload mid-request never mixes two versions.
// A broken edit is rejected and logged; the old snapshot keeps serving.

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadSnapshotFromFile } from './load.js';
import type { Snapshot } from './snapshot.js';

export interface ReloadLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class SnapshotHolder {
  current: Snapshot;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: Array<(s: Snapshot) => void> = [];
  private readonly failureListeners: Array<(err: Error) => void> = [];

  constructor(initial: Snapshot, private readonly file?: string, private readonly log?: ReloadLog) {
    this.current = initial;
  }

  onReload(listener: (s: Snapshot) => void): void {
    this.listeners.push(listener);
  }

  /** Told of every rejected reload (metrics count reload outcomes). */
  onReloadFailed(listener: (err: Error) => void): void {
    this.failureListeners.push(listener);
  }

  /** Loads the file again; returns the new snapshot, or throws (and keeps the old one). */
  reload(): Snapshot {
    if (!this.file) throw new Error('no config file to reload');
    const next = loadSnapshotFromFile(this.file, { version: this.current.version + 1 });
    this.current = next;
    for (const l of this.listeners) l(next);
    return next;
  }

  /** Watches the config file's directory (editors replace files by rename, which kills a file watch). */
  watch(debounceMs = 150): void {
    if (!this.file || this.watcher) return;
    const name = basename(this.file);
    this.watcher = watch(dirname(this.file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.tryReload(), debounceMs);
    });
    this.watcher.unref();
  }

  tryReload(): boolean {
    try {
      const s = this.reload();
      this.log?.info({ version: s.version, source: this.file }, 'config reloaded');
      return true;
    } catch (e) {
      this.log?.error({ err: (e as Error).message, source: this.file, version: this.current.version }, 'config reload rejected; the previous config keeps serving');
      for (const l of this.failureListeners) l(e as Error);
      return false;
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}

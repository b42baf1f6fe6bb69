// How a long-running subcommand learns it should stop: SIGINT, SIGTERM, or (for the demo and the
// simulator, which people start through `npm run`) the death of the process that started it.
// npm does not always pass a SIGTERM on to its script's process tree, and a demo left holding its
// port after its parent is gone is a trap for the next `npm run demo`.

// Read when the CLI starts, not when it begins waiting: a parent that dies during start-up must
// still be noticed.
const STARTED_BY = process.ppid;

export interface StopOptions {
  /** Also stop when the parent process exits (the process is re-parented, so its ppid changes). */
  withParent?: boolean;
  /** How often the parent is checked; a timer that does not keep the process alive. */
  parentCheckMs?: number;
}

export function untilSignal(options: StopOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      clearInterval(timer);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (options.withParent) {
      // ppid 1 (or 0 in a container) means there is no parent to outlive.
      if (STARTED_BY > 1) {
        timer = setInterval(() => {
          if (process.ppid !== STARTED_BY) done('parent exited');
        }, options.parentCheckMs ?? 500);
        timer.unref();
      }
    }
  });
}

// Every process the benchmark starts goes through here, so every one of them is stopped again:
// at the end, on an error, on Ctrl-C and when the run's time limit fires. Processes are stopped
// by the PIDs recorded here and nothing else. Also: CPU pinning (taskset) and /proc accounting.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: boolean;
}

export interface StartOptions {
  logFile: string;
  /** Core to pin to with taskset (when pinning is available and on). */
  cpu?: number;
  env?: NodeJS.ProcessEnv;
  /** Keep stdout as a pipe for the caller to read (children that print "listening PORT"). */
  pipeStdout?: boolean;
  /** Send stdout here instead of logFile (e.g. the gateway's request log, or /dev/null). */
  stdoutFile?: string;
  cwd?: string;
}

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const HAVE_TASKSET = has('taskset');
export const HAVE_WRK_INITIAL = has('wrk');
export { has as commandExists };

export class ProcessSet {
  private readonly started: Started[] = [];

  constructor(private readonly pin: boolean) {}

  get pinning(): boolean {
    return this.pin && HAVE_TASKSET;
  }

  start(name: string, cmd: string, args: readonly string[], o: StartOptions): Started {
    const fd = openSync(o.logFile, 'a');
    const outFd = o.stdoutFile !== undefined ? openSync(o.stdoutFile, 'a') : fd;
    const pinned = this.pinning && o.cpu !== undefined;
    const [c, a] = pinned ? ['taskset', ['-c', String(o.cpu), cmd, ...args]] : [cmd, [...args]];
    // stdin stays a pipe: our own children exit when it closes, so even a SIGKILLed run leaves
    // no mock or proxy behind. taskset execs its command, so the PID is the command's own.
    const child = spawn(c, a, { stdio: ['pipe', o.pipeStdout ? 'pipe' : outFd, fd], env: o.env ?? process.env, cwd: o.cwd });
    closeSync(fd);
    if (outFd !== fd) closeSync(outFd);
    if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    const s: Started = { name, pid: child.pid, child, logFile: o.logFile, exited: false };
    child.on('exit', () => {
      s.exited = true;
    });
    child.on('error', () => {
      s.exited = true;
    });
    this.started.push(s);
    return s;
  }

  /** Resolves with the first stdout line matching `re` (children that choose their own port). */
  waitForLine(s: Started, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`${s.name} printed nothing matching ${re} within ${timeoutMs} ms (see ${s.logFile})`)), timeoutMs);
      s.child.stdout?.setEncoding('utf8');
      s.child.stdout?.on('data', (d: string) => {
        buf += d;
        const m = buf.match(re);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
      s.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${s.name} exited (code ${code}) before it was ready (see ${s.logFile})`));
      });
    });
  }

  /** Stops one process: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
  async stop(s: Started, graceMs = 3000): Promise<void> {
    if (s.exited) return;
    const gone = new Promise<void>((r) => s.child.once('exit', () => r()));
    try {
      process.kill(s.pid, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      if (!s.exited) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, graceMs);
    await gone;
    clearTimeout(t);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.started].reverse().map((s) => this.stop(s)));
  }

  /** For process.on('exit'): no waiting possible there, so straight to SIGKILL. */
  killAllSync(): void {
    for (const s of this.started) {
      if (s.exited) continue;
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for programs that need --port N up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until 127.0.0.1:port accepts a connection; fails early if the process died. */
export async function waitForPort(port: number, s: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.exited) throw new Error(`${s.name} exited before listening on ${port} (see ${s.logFile})`);
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        r(true);
      });
      c.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${s.name} did not listen on ${port} within ${timeoutMs} ms (see ${s.logFile})`);
}

let clkTck = 0;
function ticksPerSecond(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU seconds (user + system, all threads) a process has used so far; NaN if unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime is the 12th, stime the 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / ticksPerSecond();
  } catch {
    return NaN;
  }
}

/** Busy and total jiffies per core, from /proc/stat. */
export function coreTicks(): Array<{ busy: number; total: number }> {
  try {
    const out: Array<{ busy: number; total: number }> = [];
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2]!.split(/\s+/).map(Number) as number[];
      const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
      out[Number(m[1])] = { busy, total: busy + idle! + iowait! };
    }
    return out;
  } catch {
    return [];
  }
}

export function coreBusyPct(before: ReturnType<typeof coreTicks>, after: ReturnType<typeof coreTicks>, core: number): number {
  const a = before[core];
  const b = after[core];
  if (!a || !b || b.total === a.total) return NaN;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}

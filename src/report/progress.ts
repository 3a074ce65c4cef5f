// Progress of a report run on stderr: a one-line bar with the current model and an ETA when stderr
// is a terminal, plain lines (one per finished step) otherwise, so logs and CI stay readable.
// Hand-written rather than cli-progress: the whole bar is one template line, and the ETA needs
// our own per-model work estimates (compile time grows with params, run time with MACs), which a
// generic bar's rate-based ETA gets wrong when VGG's 140 M weights arrive after ten small nets.

/** Where progress goes. `fraction` is of the whole run, 0..1. */
export interface Progress {
  /** The current activity, e.g. "resnet-50: run 2/3". */
  update(fraction: number, label: string): void;
  /** A finished step, kept on screen. */
  line(text: string): void;
  /** Clears the bar. */
  done(): void;
}

/** "1m05s", "42s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Remaining time from the fraction done and the time spent: elapsed x (1 - f) / f, null until
 * there is something to extrapolate from (2% and 2 s), so the first seconds show no wild guess.
 */
export function eta(fraction: number, elapsedMs: number): number | null {
  if (fraction < 0.02 || elapsedMs < 2000) return null;
  return (elapsedMs * (1 - Math.min(1, fraction))) / fraction;
}

export interface ProgressOptions {
  /** The stream; default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Force bar (true) or plain lines (false); default: the stream is a TTY. */
  tty?: boolean;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  let shown = false;
  let lastDraw = -Infinity;
  if (!tty) {
    return {
      update() {},
      line(text) { stream.write(`${text}\n`); },
      done() {},
    };
  }
  const clear = () => { if (shown) stream.write('\r\x1b[K'); shown = false; };
  return {
    update(fraction, label) {
      const t = now();
      if (t - lastDraw < 100 && fraction < 1) return; // ~10 redraws a second at most
      lastDraw = t;
      const f = Math.max(0, Math.min(1, fraction));
      const width = 24, filled = Math.round(width * f);
      const left = eta(f, t - t0);
      const cols = stream.columns || 100;
      const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(100 * f)).padStart(3)}%` +
        `  ${formatDuration(t - t0)} elapsed, ETA ${left === null ? '--' : formatDuration(left)}  ${label}`;
      stream.write(`\r${text.slice(0, cols - 1)}\x1b[K`);
      shown = true;
    },
    line(text) {
      clear();
      stream.write(`${text}\n`);
      lastDraw = -Infinity;
    },
    done() { clear(); },
  };
}

/**
 * One line at the bottom of a terminal that is rewritten in place. Permanent lines are printed
 * above it (clear, print, redraw). Redraws are throttled by a timer that also turns the spinner.
 */
import { clearLine, cursorTo } from 'node:readline';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;

export class LiveLine {
  private text: string | null = null;
  private shown = false;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly stream: NodeJS.WritableStream & { columns?: number }) {}

  /** Sets what the line says; drawn at the next tick. */
  set(text: string): void {
    this.text = text;
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
      this.timer.unref(); // a status line must never keep the process alive
      this.draw();
    }
  }

  /** Prints a permanent line above the live one. */
  print(line: string): void {
    this.erase();
    this.stream.write(`${line}\n`);
    this.draw();
  }

  /** Removes the live line for good (until the next set()). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.erase();
    this.text = null;
  }

  private draw(): void {
    if (this.text === null) return;
    this.erase();
    this.frame = (this.frame + 1) % FRAMES.length;
    const width = Math.max(20, (this.stream.columns || 100) - 1); // 0 or unset: no real terminal behind it
    const line = `${FRAMES[this.frame]} ${this.text}`;
    this.stream.write(fit(line, width));
    this.shown = true;
  }

  private erase(): void {
    if (!this.shown) return;
    clearLine(this.stream, 0);
    cursorTo(this.stream, 0);
    this.shown = false;
  }
}

/** Cuts to `width` visible characters, ignoring colour escapes. */
function fit(line: string, width: number): string {
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '');
  if (visible.length <= width) return line;
  return `${visible.slice(0, width - 1)}…`;
}

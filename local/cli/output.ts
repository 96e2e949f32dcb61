/** Terminal output helpers: progress lines on stderr (never in --json stdout), aligned tables. */
export class Progress {
  private readonly t0 = performance.now();
  private last = '';
  constructor(private readonly enabled: boolean) {}

  update(stage: string, done: number, total: number): void {
    if (!this.enabled) return;
    const line = `${stage} ${done}/${total}  ${this.elapsed()}`;
    if (line === this.last) return;
    this.last = line;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
    else if (done === 0 || done === total || done % 12 === 0) process.stderr.write(`${line}\n`);
  }

  done(message: string): void {
    if (!this.enabled) return;
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${message} (${this.elapsed()})\n`);
  }

  elapsed(): string {
    return `${((performance.now() - this.t0) / 1000).toFixed(1)} s`;
  }
}

export function table(rows: readonly (readonly [string, string])[]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

export const pct = (x: number, digits = 1): string =>
  Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : 'n/a';
export const int = (x: number): string => Math.round(x).toLocaleString('en-US');

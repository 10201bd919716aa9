import pg from 'pg';

/**
 * Records the SQL that node-postgres pools run in this process while `capture` is active, so a
 * dashboard query's exact statements can be replayed on a plain connection (the "raw SQL" column).
 * It wraps Pool.prototype.query, which the Postgres adapter uses for every read.
 */
export class SqlCapture {
  private active: Array<{ text: string; values: unknown[] }> | null = null;
  private readonly original = pg.Pool.prototype.query;

  install(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const original = this.original;
    pg.Pool.prototype.query = function (this: pg.Pool, ...args: unknown[]) {
      // Only the read-replica pool: dashboard reads go there; the primary's background work
      // (dial queue polling, recovery sweep) would otherwise land in the capture.
      const role = (this as unknown as { options?: { application_name?: string } }).options?.application_name;
      if (self.active && typeof args[0] === 'string' && role?.endsWith(':replica') && args[0] !== 'select 1') {
        self.active.push({ text: args[0], values: Array.isArray(args[1]) ? (args[1] as unknown[]) : [] });
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Pool.prototype.query;
  }

  uninstall(): void {
    pg.Pool.prototype.query = this.original;
  }

  async during<T>(
    fn: () => Promise<T>,
  ): Promise<{ result: T; statements: Array<{ text: string; values: unknown[] }> }> {
    this.active = [];
    try {
      const result = await fn();
      return { result, statements: this.active };
    } finally {
      this.active = null;
    }
  }
}

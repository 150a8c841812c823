import pg from 'pg';

type Handler = (payload: string) => void;

export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Sends a NOTIFY; inside a transaction it is delivered only if the transaction commits. */
export async function notify(db: Queryable, channel: string, payload: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

/**
 * One LISTEN connection per process, shared by every subscriber. It reconnects (and LISTENs
 * again) when the connection drops; notifications sent while it was down are lost, so
 * subscribers read the current state from tables after `onReconnect`.
 */
export class NotificationHub {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;
  private connecting: Promise<void> | undefined;
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, application_name: 'qdgs-listen' });
      client.on('notification', (message) => {
        for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      client.on('error', () => this.reconnectSoon(client));
      client.on('end', () => this.reconnectSoon(client));
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      this.client = client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private reconnectSoon(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    const attempt = (delay: number) =>
      setTimeout(() => {
        if (this.closed) return;
        this.connect().then(
          () => this.reconnectListeners.forEach((listener) => listener()),
          () => attempt(Math.min(delay * 2, 5000)),
        );
      }, delay).unref();
    attempt(100);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Calls `handler` with every payload sent on `channel` until the returned function is called. */
  async listen(channel: string, handler: Handler): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      if (this.connecting) await this.connecting;
      await this.client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        await this.client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}

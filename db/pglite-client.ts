import { parse, PGlite, protocol, types, type QueryOptions, type Results, type Transaction } from "@electric-sql/pglite";

/** What Drizzle's PGlite driver takes as text and converts itself: timestamps, dates, intervals, numeric[] and their arrays. */
const AS_TEXT = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
const asText = (value: string) => value;

/** Statements kept prepared at once; the least recently used is closed to make room. */
const MAX_PREPARED = 250;

type ParameterDescription = InstanceType<typeof protocol.messages.ParameterDescriptionMessage>;
type Prepared = { name: string; paramTypes: number[] };

function withoutParsers(options: QueryOptions | undefined): QueryOptions | undefined {
  if (!options?.parsers) return options;
  const { parsers: _perQuery, ...rest } = options;
  return rest;
}

/** Postgres's "cached plan must not change result type". */
function isStalePlan(error: unknown): boolean {
  const { code, routine } = error as { code?: string; routine?: string };
  return code === "0A000" && routine === "RevalidateCachedQuery";
}

function frame(...messages: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((length, message) => length + message.length, 0));
  let offset = 0;
  for (const message of messages) {
    out.set(message, offset);
    offset += message.length;
  }
  return out;
}

/**
 * The embedded database as the app's queries need it: the same answers as PGlite's own client, for less CPU.
 *
 * - Statements are prepared once and kept by their text, as postgres.js does on the server: Postgres keeps the plan
 *   and each run is one exchange (bind, describe, execute, sync) instead of PGlite's six. A statement that reads a
 *   table costs about half as much.
 * - Drizzle's driver passes its parsers with every query, and PGlite merges them into its table of some 300 parsers
 *   each time (about 0.2 ms a statement): this client has them in its own table from the start and drops the copy.
 *
 * Everything on the embedded database goes through Drizzle, and pg-boss only reads ids and payloads. Prepared
 * statements outlive a rolled-back transaction, and Postgres plans a kept statement again when the tables under it
 * change.
 */
export class EmbeddedClient extends PGlite {
  readonly #prepared = new Map<string, Prepared>();
  /** Statements dropped from the map, closed before the next one is prepared. */
  readonly #closing: string[] = [];
  #named = 0;
  #inTransaction = false;

  /** Call once ready: the array types' parsers are made at start-up from their elements'. */
  installTextParsers(): void {
    for (const oid of AS_TEXT) this.parsers[oid] = asText;
  }

  override async query<T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    if (options?.paramTypes || options?.blob) return super.query<T>(text, params, withoutParsers(options));
    await this._checkReady();
    return this._runExclusiveTransaction(() => this.#run<T>(text, params, options));
  }

  override transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    return super.transaction(async (tx) => {
      this.#inTransaction = true;
      const query = <R>(text: string, params: unknown[] = [], options?: QueryOptions) => {
        if (options?.paramTypes || options?.blob) return tx.query<R>(text, params, withoutParsers(options));
        if (tx.closed) throw new Error("Transaction is closed");
        return this.#run<R>(text, params, options);
      };
      try {
        return await callback(Object.create(tx, { query: { value: query } }) as Transaction);
      } finally {
        this.#inTransaction = false;
      }
    });
  }

  #run<T>(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results<T>> {
    return this._runExclusiveQuery(async () => {
      try {
        try {
          return await this.#execute<T>(text, params, options);
        } catch (error) {
          // A table under a kept statement changed the columns it returns: plan it afresh (inside a transaction the
          // error has already aborted it, so only the next attempt can).
          if (!isStalePlan(error)) throw error;
          this.#forget(text);
          if (this.#inTransaction) throw error;
          return await this.#execute<T>(text, params, options);
        }
      } catch (error) {
        // As PGlite's own client does: the failing statement travels with its error into the logs.
        if (error instanceof Error) Object.assign(error, { query: text, params });
        throw error;
      }
    });
  }

  async #execute<T>(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results<T>> {
    const statement = await this.#statement(text);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const type = statement.paramTypes[i]!;
      const serialize = options?.serializers?.[type] ?? this.serializers[type];
      return serialize ? serialize(value) : String(value);
    });
    const { serialize } = protocol;
    const messages = await this.execProtocolStream(
      frame(serialize.bind({ statement: statement.name, values }), serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync()),
      { syncToFs: false },
    );
    if (!this.#inTransaction) await this.syncToFs();
    return parse.parseResults(messages, this.parsers, withoutParsers(options))[0] as Results<T>;
  }

  #forget(text: string): void {
    const kept = this.#prepared.get(text);
    if (!kept) return;
    this.#prepared.delete(text);
    this.#closing.push(kept.name);
  }

  async #statement(text: string): Promise<Prepared> {
    const kept = this.#prepared.get(text);
    if (kept) {
      this.#prepared.delete(text);
      this.#prepared.set(text, kept);
      return kept;
    }
    const { serialize } = protocol;
    if (this.#prepared.size >= MAX_PREPARED) this.#forget(this.#prepared.keys().next().value!);
    if (this.#closing.length > 0) {
      const closing = this.#closing.splice(0).map((name) => serialize.close({ type: "S", name }));
      await this.execProtocolStream(frame(...closing, serialize.sync()), { syncToFs: false, throwOnError: false });
    }
    const name = `liaison_${++this.#named}`;
    const messages = await this.execProtocolStream(frame(serialize.parse({ name, text }), serialize.describe({ type: "S", name }), serialize.sync()), {
      syncToFs: false,
    });
    const description = messages.find((message) => message.name === "parameterDescription") as ParameterDescription | undefined;
    const prepared = { name, paramTypes: description?.dataTypeIDs ?? [] };
    this.#prepared.set(text, prepared);
    return prepared;
  }
}

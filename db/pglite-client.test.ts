import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedClient } from "./pglite-client.ts";

describe("the embedded database's client, which keeps statements prepared", () => {
  let client: EmbeddedClient;

  beforeAll(async () => {
    client = new EmbeddedClient();
    await client.waitReady;
    client.installTextParsers();
    await client.exec(`create table notes (id int primary key, body text, tags text[], meta jsonb, at timestamptz)`);
  });

  afterAll(() => client.close());

  it("answers a statement run again as it did the first time, with parameters of every kind", async () => {
    const insert = "insert into notes (id, body, tags, meta, at) values ($1, $2, $3, $4, $5) returning id";
    const at = new Date("2028-06-05T12:00:00Z");
    expect((await client.query(insert, [1, "first", ["a", "b"], { n: 1 }, at])).rows).toEqual([{ id: 1 }]);
    expect((await client.query(insert, [2, null, [], { n: 2 }, undefined])).rows).toEqual([{ id: 2 }]);
    const select = "select id, body, tags, meta, at from notes where id = any($1) order by id";
    const once = await client.query(select, [[1, 2]]);
    const again = await client.query(select, [[1, 2]]);
    expect(again.rows).toEqual(once.rows);
    // Timestamps stay text: Drizzle converts them itself.
    expect(once.rows).toEqual([
      { id: 1, body: "first", tags: ["a", "b"], meta: { n: 1 }, at: "2028-06-05 12:00:00+00" },
      { id: 2, body: null, tags: [], meta: { n: 2 }, at: null },
    ]);
    expect(once.fields.map((field) => field.name)).toEqual(["id", "body", "tags", "meta", "at"]);
    expect((await client.query("select body from notes where id = $1", [1], { rowMode: "array" })).rows).toEqual([["first"]]);
    expect((await client.query("update notes set body = $1 where id > $2", ["x", 0])).affectedRows).toBe(2);
  });

  it("fails a statement with Postgres's error and the statement, and the next one works", async () => {
    const error = await client.query("insert into notes (id) values ($1)", [1]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "23505", query: "insert into notes (id) values ($1)", params: [1] });
    await expect(client.query("select no_such_column from notes")).rejects.toMatchObject({ code: "42703" });
    expect((await client.query("select count(*)::int as n from notes")).rows).toEqual([{ n: 2 }]);
  });

  it("keeps a transaction's statements in it: a rollback undoes them, and what it prepared still works", async () => {
    await expect(
      client.transaction(async (tx) => {
        await tx.query("insert into notes (id, body) values ($1, $2)", [10, "in a transaction"]);
        await tx.query("insert into notes (id) values ($1)", [1]);
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect((await client.query("select id from notes where body = $1", ["in a transaction"])).rows).toEqual([]);
    await client.transaction((tx) => tx.query("insert into notes (id, body) values ($1, $2)", [10, "committed"]));
    expect((await client.query("select body from notes where id = $1", [10])).rows).toEqual([{ body: "committed" }]);
  });

  it("runs statements from many callers at once one after another, each with its own answer", async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0
          ? client.transaction(async (tx) => (await tx.query<{ n: number }>("select $1::int + 1 as n", [i])).rows[0]!.n - 1)
          : client.query<{ n: number }>("select $1::int as n", [i]).then((result) => result.rows[0]!.n),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("closes the least recently used statements beyond its limit, and prepares one again when it is needed", async () => {
    for (let i = 0; i < 300; i++) expect((await client.query(`select $1::int + ${i} as n`, [1])).rows).toEqual([{ n: 1 + i }]);
    const { rows } = await client.query<{ n: number }>("select count(*)::int as n from pg_prepared_statements");
    expect(rows[0]!.n).toBeLessThanOrEqual(250);
    expect((await client.query("select $1::int + 0 as n", [5])).rows).toEqual([{ n: 5 }]);
  });

  it("plans a kept statement afresh when its table changes under it", async () => {
    const select = "select * from notes where id = $1";
    expect((await client.query(select, [1])).fields).toHaveLength(5);
    await client.exec("alter table notes add column extra int default 7");
    expect((await client.query(select, [1])).rows).toEqual([expect.objectContaining({ id: 1, extra: 7 })]);
    await client.exec("alter table notes drop column extra");
    expect((await client.query(select, [1])).fields).toHaveLength(5);
  });
});

// The register's outbox: every sale is written to IndexedDB before anything is
// sent, so a dead node, a reload, a closed tab or a second tab never loses or
// doubles it. A tiny IndexedDB helper instead of a library: four stores and
// a handful of operations do not pay for a dependency.
//
// Stores: "outbox" (sales not yet acknowledged by any node, by client UUID),
// "rejected" (sales a node refused with 409/422: kept and shown, never dropped),
// "kv" (small device state: ticket counter, known nodes, menu, offline logins),
// "keys" (the non-exportable AES-GCM key of vault.js).
//
// At rest (a stolen tablet): a sale is its UUID, its ticket number and its
// creation time in clear (the queue's keys and order) and everything else
// sealed; every kv value but the ticket counter is sealed. A sale leaves the
// device once a node acknowledges it. Data written in clear by an older
// release is sealed in place the first time this one opens the database.
import * as vault from "./vault.js";

const DB_NAME = "posweb";
const DB_VERSION = 2;
const KEY_ID = "device";
const CLEAR_KV = new Set(["ticketCounter"]); // read and written inside the sale's own transaction
let dbPromise = null;
let keyPromise = null;
let readyPromise = null;

function open() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" }).createIndex("created", "created");
      if (!db.objectStoreNames.contains("rejected")) db.createObjectStore("rejected", { keyPath: "id" });
      if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
      if (!db.objectStoreNames.contains("keys")) db.createObjectStore("keys");
    };
    request.onsuccess = () => {
      const db = request.result;
      // A newer release opening a newer schema in another tab: let it, and reopen later.
      db.onversionchange = () => { db.close(); dbPromise = null; };
      resolve(db);
    };
    request.onerror = () => { dbPromise = null; reject(request.error); };
    request.onblocked = () => { dbPromise = null; reject(new Error("IndexedDB upgrade blocked by another tab")); };
  });
  return dbPromise;
}

// Runs fn(stores) in one transaction and resolves when it has committed (not
// merely when the request succeeded): a sale counts as written only once durable.
// fn may await IndexedDB requests but nothing else (WebCrypto included): the
// transaction commits as soon as it has no request pending, so sealing and
// unsealing happen before and after, never inside.
async function tx(names, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(names, mode, { durability: "strict" });
    const stores = Object.fromEntries([].concat(names).map((n) => [n, t.objectStore(n)]));
    let result;
    Promise.resolve(fn(stores, t)).then((r) => { result = r; }, (e) => { t.abort(); reject(e); });
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error("transaction aborted"));
  });
}

const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

/** The device's sealing key, made on first use. Two tabs making one at once
 * both end up with the one that was stored first. */
export function deviceKey() {
  if (keyPromise) return keyPromise;
  keyPromise = (async () => {
    const stored = await tx("keys", "readonly", (s) => req(s.keys.get(KEY_ID)));
    if (stored) return stored;
    const fresh = await vault.newKey();
    return tx("keys", "readwrite", async (s) => {
      const again = await req(s.keys.get(KEY_ID));
      if (again) return again;
      s.keys.put(fresh, KEY_ID);
      return fresh;
    });
  })();
  keyPromise.catch(() => { keyPromise = null; });
  return keyPromise;
}

async function seal(value, context) {
  return vault.seal(await deviceKey(), value, context);
}

async function unseal(box, context) {
  return vault.unseal(await deviceKey(), box, context);
}

// A sale at rest: what the queue needs in clear, the rest sealed.
// A payment for an order placed elsewhere (unpaid.js) also has the ``path`` it
// is sent to and the ``order`` ({id, number}) it pays; a sale has neither.
async function sealSale(entry) {
  const { id, created, body, prices, total, path, order } = entry;
  return { id, created, number: body.number, box: await seal({ body, prices, total, path, order }, `outbox:${id}`) };
}

async function openSale(row) {
  if (!vault.isSealed(row.box)) return row; // written in clear by an older release, not yet migrated
  const { body, prices, total, path, order } = await unseal(row.box, `outbox:${row.id}`);
  if (path) return { id: row.id, created: row.created, body, prices, total, path, order };
  return { id: row.id, created: row.created, body: { ...body, number: row.number ?? body.number }, prices, total };
}

async function sealRefused(entry) {
  const { id, rejectedAt, ...rest } = entry;
  return { id, rejectedAt, box: await seal(rest, `rejected:${id}`) };
}

async function openRefused(row) {
  if (!vault.isSealed(row.box)) return row;
  return { id: row.id, rejectedAt: row.rejectedAt, ...(await unseal(row.box, `rejected:${row.id}`)) };
}

/** Seal, in place, whatever an older release left in clear. Runs once per page
 * before any other operation; a sale another tab sent or migrated meanwhile is
 * left alone, so nothing is lost or brought back. */
function ready() {
  if (!readyPromise) {
    readyPromise = migrate();
    readyPromise.catch(() => { readyPromise = null; });
  }
  return readyPromise;
}

async function migrate() {
  const [sales, refused, kv] = await tx(["outbox", "rejected", "kv"], "readonly", async (s) => [
    await req(s.outbox.getAll()), await req(s.rejected.getAll()), await kvEntries(s.kv),
  ]);
  const oldSales = await Promise.all(sales.filter((r) => !vault.isSealed(r.box)).map(sealSale));
  const oldRefused = await Promise.all(refused.filter((r) => !vault.isSealed(r.box)).map(sealRefused));
  const oldKv = await Promise.all(
    kv.filter(([key, value]) => !CLEAR_KV.has(key) && !vault.isSealed(value)).map(async ([key, value]) => [key, await seal(value, `kv:${key}`)]),
  );
  if (!oldSales.length && !oldRefused.length && !oldKv.length) return;
  await tx(["outbox", "rejected", "kv"], "readwrite", async (s) => {
    for (const row of oldSales) if (await stillClear(s.outbox, row.id)) s.outbox.put(row);
    for (const row of oldRefused) if (await stillClear(s.rejected, row.id)) s.rejected.put(row);
    for (const [key, box] of oldKv) if (!vault.isSealed(await req(s.kv.get(key)))) s.kv.put(box, key);
  });
}

async function stillClear(store, id) {
  const row = await req(store.get(id));
  return Boolean(row) && !vault.isSealed(row.box);
}

async function kvEntries(kv) {
  const [keys, values] = [await req(kv.getAllKeys()), await req(kv.getAll())];
  return keys.map((k, i) => [k, values[i]]);
}

/** Queue a sale ({id, body, prices, total, created}) under the next ticket
 * number of the register's lane for ``day``. Resolves {number, waiting} (the
 * sales now in the outbox) once the sale is durable.
 *
 * Number and sale share one readwrite transaction: one commit (one fsync with
 * "strict") per tap instead of three transactions, a number is never taken
 * without its sale, and the count comes from the very state that committed, so
 * the register can show the sale as queued without reading the outbox again.
 * IndexedDB runs readwrite transactions on overlapping stores one at a time,
 * so two tabs of one register never take the same number. The sale is sealed
 * before the transaction (without its number, which stays beside it in clear). */
export async function record(entry, lane, day) {
  await ready();
  const row = await sealSale(entry);
  return tx(["kv", "outbox"], "readwrite", async (s) => {
    const number = await takeNumber(s.kv, lane, day);
    s.outbox.add({ ...row, number });
    return { number, waiting: await req(s.outbox.count()) };
  });
}

/** Queue a payment for an existing order ({id, body, path, order, total,
 * created}; no ticket number: the order has one). Resolves {waiting} once durable. */
export async function recordPayment(entry) {
  await ready();
  const row = await sealSale(entry);
  return tx("outbox", "readwrite", async (s) => {
    s.outbox.add(row);
    return { waiting: await req(s.outbox.count()) };
  });
}

/** Every waiting sale, oldest first. */
export async function pending() {
  await ready();
  const rows = await tx("outbox", "readonly", (s) => req(s.outbox.index("created").getAll()));
  return opened(rows, openSale);
}

export async function acknowledge(id) {
  await ready();
  return tx("outbox", "readwrite", (s) => { s.outbox.delete(id); });
}

/** Move a refused sale to the rejected list in one transaction, so it is never in neither. */
export async function reject(entry, status, detail) {
  await ready();
  const row = await sealRefused({ ...entry, status, detail, rejectedAt: Date.now() });
  return tx(["outbox", "rejected"], "readwrite", (s) => {
    s.rejected.put(row);
    s.outbox.delete(entry.id);
  });
}

export async function rejected() {
  await ready();
  const rows = await tx("rejected", "readonly", (s) => req(s.rejected.getAll()));
  return opened(rows, openRefused);
}

// A row that no longer opens (its key gone, a byte changed) stays stored but
// is not handed out: one bad row must not stop the rest of the queue.
async function opened(rows, openRow) {
  return (await Promise.all(rows.map((r) => openRow(r).catch(() => null)))).filter(Boolean);
}

export async function kvGet(key) {
  await ready();
  const value = await tx("kv", "readonly", (s) => req(s.kv.get(key)));
  return vault.isSealed(value) ? unseal(value, `kv:${key}`) : value;
}

export async function kvSet(key, value) {
  await ready();
  const box = await seal(value, `kv:${key}`);
  return tx("kv", "readwrite", (s) => { s.kv.put(box, key); });
}

export async function kvDelete(key) {
  await ready();
  return tx("kv", "readwrite", (s) => { s.kv.delete(key); });
}

/** A revoked device forgets all it knows: menu, nodes, offline logins. Unsent
 * and refused sales stay (money the store took, which no node has yet; they
 * leave with the next pairing), and so do the ticket counter and, while any
 * sale is left to open, the key. Resolves the number of sales kept. */
export async function wipe() {
  return tx(["kv", "outbox", "rejected", "keys"], "readwrite", async (s) => {
    for (const key of await req(s.kv.getAllKeys())) if (!CLEAR_KV.has(key)) s.kv.delete(key);
    const kept = (await req(s.outbox.count())) + (await req(s.rejected.count()));
    if (!kept) s.keys.clear();
    return kept;
  }).finally(() => { keyPromise = null; });
}

async function takeNumber(kv, lane, day) {
  const current = (await req(kv.get("ticketCounter"))) || {};
  const count = current.day === day ? current.count + 1 : 1;
  kv.put({ day, count }, "ticketCounter");
  // Same formula as registers/numbers.py number_for: 999 numbers, then wrap.
  return lane * 1000 + ((count - 1) % 999) + 1;
}

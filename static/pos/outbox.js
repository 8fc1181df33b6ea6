// The register's outbox: every sale is written to IndexedDB before anything is
// sent, so a dead node, a reload, a closed tab or a second tab never loses or
// doubles it. A tiny IndexedDB helper instead of a library: three stores and
// five operations do not pay for a dependency.
//
// Stores: "outbox" (sales not yet acknowledged by any node, by client UUID),
// "rejected" (sales a node refused with 409/422: kept and shown, never dropped),
// "kv" (small device state: ticket counter, known nodes, cached staff logins).

const DB_NAME = "posweb";
const DB_VERSION = 1;
let dbPromise = null;

function open() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" }).createIndex("created", "created");
      if (!db.objectStoreNames.contains("rejected")) db.createObjectStore("rejected", { keyPath: "id" });
      if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
    };
    request.onsuccess = () => {
      const db = request.result;
      // A newer release opening a newer schema in another tab: let it, and reopen later.
      db.onversionchange = () => { db.close(); dbPromise = null; };
      resolve(db);
    };
    request.onerror = () => { dbPromise = null; reject(request.error); };
    request.onblocked = () => reject(new Error("IndexedDB upgrade blocked by another tab"));
  });
  return dbPromise;
}

// Runs fn(stores) in one transaction and resolves when it has committed (not
// merely when the request succeeded): a sale counts as written only once durable.
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

/** Queue a sale ({id, body, prices, total, created}) under the next ticket
 * number of the register's lane for ``day``. Resolves {number, waiting} (the
 * sales now in the outbox) once the sale is durable.
 *
 * Number and sale share one readwrite transaction: one commit (one fsync with
 * "strict") per tap instead of three transactions, a number is never taken
 * without its sale, and the count comes from the very state that committed, so
 * the register can show the sale as queued without reading the outbox again.
 * IndexedDB runs readwrite transactions on overlapping stores one at a time,
 * so two tabs of one register never take the same number. */
export function record(entry, lane, day) {
  return tx(["kv", "outbox"], "readwrite", async (s) => {
    const number = await takeNumber(s.kv, lane, day);
    s.outbox.add({ ...entry, body: { ...entry.body, number } });
    return { number, waiting: await req(s.outbox.count()) };
  });
}

/** Every waiting sale, oldest first. */
export function pending() {
  return tx("outbox", "readonly", (s) => req(s.outbox.index("created").getAll()));
}

export function acknowledge(id) {
  return tx("outbox", "readwrite", (s) => { s.outbox.delete(id); });
}

/** Move a refused sale to the rejected list in one transaction, so it is never in neither. */
export function reject(entry, status, detail) {
  return tx(["outbox", "rejected"], "readwrite", (s) => {
    s.rejected.put({ ...entry, status, detail, rejectedAt: Date.now() });
    s.outbox.delete(entry.id);
  });
}

export function rejected() {
  return tx("rejected", "readonly", (s) => req(s.rejected.getAll()));
}

export function kvGet(key) {
  return tx("kv", "readonly", (s) => req(s.kv.get(key)));
}

export function kvSet(key, value) {
  return tx("kv", "readwrite", (s) => { s.kv.put(value, key); });
}

async function takeNumber(kv, lane, day) {
  const current = (await req(kv.get("ticketCounter"))) || {};
  const count = current.day === day ? current.count + 1 : 1;
  kv.put({ day, count }, "ticketCounter");
  // Same formula as registers/numbers.py number_for: 999 numbers, then wrap.
  return lane * 1000 + ((count - 1) % 999) + 1;
}

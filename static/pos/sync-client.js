// Sending the outbox: every waiting sale, oldest first, to whichever node
// answers (through failover.js's api). Exports createFlusher({ api, onProgress,
// onSent }) -> { schedule, flush, stop }.
//
// Triggers: start, "online", the page becoming visible, any successful request,
// and a timer with bounded backoff (no Background Sync: Safari lacks it). Only
// one tab flushes at a time (Web Locks); the server's idempotency on the
// client's UUID makes a second send harmless anyway.
import * as outbox from "./outbox.js";

const FLUSH_MIN_MS = 1000;
const FLUSH_MAX_MS = 10000; // bounded backoff: a node back from a reboot gets the queue within seconds

/** ``onProgress()`` (awaited) after each sale leaves the outbox and after each
 * round; ``onSent(ids)`` after a round that sent anything (the ids of the sales it sent). */
export function createFlusher({ api, onProgress, onSent }) {
  const flusher = { timer: null, delay: FLUSH_MIN_MS, running: false, stopped: false };

  function schedule(delay = flusher.delay) {
    clearTimeout(flusher.timer);
    if (flusher.stopped) return;
    flusher.timer = setTimeout(flush, delay);
  }

  async function flush() {
    clearTimeout(flusher.timer);
    if (flusher.running || flusher.stopped) return;
    flusher.running = true;
    let done = false;
    try {
      done = navigator.locks
        ? await navigator.locks.request("posweb-outbox-flush", { ifAvailable: true }, (lock) => (lock ? sendAll() : "busy"))
        : await sendAll();
    } catch {
      done = false;
    } finally {
      flusher.running = false;
    }
    if (flusher.stopped) return;
    // Another tab holds the lock: look again soon, it may leave entries of ours.
    flusher.delay = done === true || done === "busy" ? FLUSH_MIN_MS : Math.min(flusher.delay * 2, FLUSH_MAX_MS);
    await onProgress();
    schedule(done === true ? FLUSH_MAX_MS / 2 : flusher.delay);
  }

  /** Send every waiting sale, oldest first. True when the outbox was emptied. */
  async function sendAll() {
    const entries = await outbox.pending();
    for (const entry of entries) {
      let response;
      try {
        response = await api(entry.path || "/orders", { method: "POST", body: JSON.stringify(entry.body) });
      } catch {
        return false; // no node answers: everything stays queued
      }
      if (response.ok) {
        // 201 or a 200 replay: some node has it durably; forget it here.
        await outbox.acknowledge(entry.id);
      } else if ([400, 409, 413, 422].includes(response.status)) {
        // The node refused this sale as sent; it moves to the visible rejected
        // list for the manager, never silently dropped.
        const data = await response.json().catch(() => ({}));
        await outbox.reject(entry, response.status, typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail || ""));
      } else {
        return false; // 401, 5xx...: keep it and try again later
      }
      await onProgress();
    }
    if (entries.length) onSent(entries.map((entry) => entry.order?.id || entry.id)); // a queued payment names its order
    return true;
  }

  /** No more sending from this page (the device was revoked). */
  function stop() {
    flusher.stopped = true;
    clearTimeout(flusher.timer);
  }

  return { schedule, flush, stop };
}

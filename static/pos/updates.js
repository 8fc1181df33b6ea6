// The service worker from the page's side: registering it (the offline shell)
// and moving to a new release only when no sale is half rung up. Exports
// createUpdates({ isIdle }) -> { register, check, reloadIfReady }.

/** ``isIdle()`` is true when reloading loses nothing (the cart is empty). */
export function createUpdates({ isIdle }) {
  const release = { registration: null, updateReady: false };

  /** Reload into a release that took over, once the cart is empty. */
  function reloadIfReady() {
    if (release.updateReady && isIdle()) location.reload();
  }

  async function register() {
    if (!("serviceWorker" in navigator)) return;
    let controlled = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      // The first worker taking over an uncontrolled page is no update.
      if (!controlled) { controlled = true; return; }
      // A new release took over. Reload into it when no sale is half rung up;
      // queued sales are in IndexedDB, which a release never touches.
      release.updateReady = true;
      reloadIfReady();
    });
    try {
      release.registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      document.body.dataset.sw = "ready";
    } catch (error) {
      document.body.dataset.sw = "failed";
    }
  }

  /** Ask for a new release now (coming back online, and once a minute). */
  function check() {
    release.registration?.update().catch(() => {});
  }

  return { register, check, reloadIfReady };
}

// This device's bearer token: the demo token the page was handed (demo mode
// only), else the one /pair/ stored. WebSockets cannot carry an Authorization
// header, so the token rides as a subprotocol ("bearer.<token>") next to
// "posweb", which is the one the server answers with (security/wsauth.py).
import { config } from "./i18n.js";

export const TOKEN_KEY = "pos.deviceToken";

export function deviceToken() {
  return config().token || localStorage.getItem(TOKEN_KEY) || "";
}

export function socketProtocols() {
  const token = deviceToken();
  return token ? ["posweb", `bearer.${token}`] : ["posweb"];
}

/** Send an unpaired device to /pair/ (and back here after). True when it did. */
export function pairIfNeeded() {
  if (deviceToken()) return false;
  location.replace(`/pair/?next=${encodeURIComponent(location.pathname + location.search)}`);
  return true;
}

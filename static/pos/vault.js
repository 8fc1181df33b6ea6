// Sealing what the tablet must keep at rest (unsent sales, the offline login
// cache, the cached menu): AES-GCM under a key WebCrypto made with
// extractable: false. The key lives in IndexedDB as a CryptoKey object, so a
// script, a storage export or DevTools reading the tablet's storage sees only
// ciphertext, and exportKey on it throws. Pure crypto, no storage: outbox.js
// owns the database and the key. Exports newKey, seal, unseal, isSealed.

const FORMAT = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh AES-256-GCM key that can never be exported. */
export function newKey() {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** ``value`` (anything JSON can carry) encrypted under ``key``. ``context``
 * (the record's store and key) is bound as additional data, so a ciphertext
 * moved to another record fails to open instead of passing for it. */
export async function seal(key, value, context) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(context) }, key, encoder.encode(JSON.stringify(value)),
  );
  return { sealed: FORMAT, iv, data };
}

/** The value ``seal`` sealed; throws when the key, the context or a byte differs. */
export async function unseal(key, box, context) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv, additionalData: encoder.encode(context) }, key, box.data);
  return JSON.parse(decoder.decode(plain));
}

export function isSealed(value) {
  return Boolean(value) && value.sealed === FORMAT && value.iv instanceof Uint8Array && value.data instanceof ArrayBuffer;
}

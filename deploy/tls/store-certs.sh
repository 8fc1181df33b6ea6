#!/usr/bin/env bash
# HTTPS on a store LAN: the store CA (once) and a certificate for each node.
#   deploy/tls/store-certs.sh s001.store.lan pos1=10.0.0.2 pos2=10.0.0.3
# Run from the posweb folder (it uses .venv), ideally on a machine that keeps
# the CA key afterwards (not a tablet; not every node). Writes under OUT
# (default /etc/posweb/tls-issue):
#   ca/store-ca.key            the CA's key: keep it offline, it signs new nodes
#   ca/store-ca.pem            POS_SYNC_CA_FILE on every node
#   ca/store-ca.crt            install on every tablet (README: "Trust the store CA on the tablets")
#   <node>/node.key, node.pem  copy to that node's /etc/posweb/tls/ (with store-ca.pem)
# Each node's certificate names <node>.<domain> and its LAN address; the
# tablets open https://<node>.<domain>/register/ (the store's DNS or DHCP
# server, or the router, must resolve those names to the nodes).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,3p' "$0"; exit 2; }
DOMAIN="$1"; shift
OUT="${OUT:-/etc/posweb/tls-issue}"
PY="${PY:-.venv/bin/python}"
umask 077
if [ ! -f "$OUT/ca/store-ca.key" ]; then
  "$PY" manage.py store_ca --domain "$DOMAIN" --out "$OUT/ca"
fi
for spec in "$@"; do
  node="${spec%%=*}"; addr=""
  [ "$spec" != "$node" ] && addr="${spec#*=}"
  # shellcheck disable=SC2086
  "$PY" manage.py node_cert "$node.$DOMAIN" $addr --ca "$OUT/ca" --out "$OUT/$node"
  cp "$OUT/ca/store-ca.pem" "$OUT/$node/store-ca.pem"
done
echo "copy $OUT/<node>/* to each node's /etc/posweb/tls/; give the tablets $OUT/ca/store-ca.crt"

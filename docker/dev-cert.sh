#!/bin/sh
# dev-cert.sh [DIR] [NAME...]: a self-signed development certificate for the
# Compose deployment: DIR/cert.pem and DIR/key.pem (DIR: docker/tls, the
# directory compose.yaml mounts read-only into nginx by default). Names: the
# DNS names and IP addresses it is valid for (default: localhost, 127.0.0.1,
# ::1). It never replaces an existing pair. For production, put your real
# certificate (full chain) and key there instead (docs/operations.md).
#
# nginx in the container runs as uid/gid 10001, so the key is made readable
# by group 10001 (mode 0640) when this runs as root, and by everyone (0644)
# otherwise: a throw-away development key, never a real one.
set -eu
dir=${1:-$(dirname "$0")/tls}
[ $# -gt 0 ] && shift
[ $# -eq 0 ] && set -- localhost 127.0.0.1 ::1

san="" cn=$1
for name in "$@"; do
  case $name in
    *[!0-9.]* | "") case $name in *:*) kind=IP ;; *) kind=DNS ;; esac ;;
    *) kind=IP ;;
  esac
  san="${san:+$san,}$kind:$name"
done

mkdir -p "$dir"
if [ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ]; then
  echo "dev-cert: $dir/cert.pem and $dir/key.pem exist; remove them to make a new pair" >&2
  exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
  -subj "/CN=$cn" -addext "subjectAltName=$san" \
  -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
if [ "$(id -u)" -eq 0 ]; then
  chgrp 10001 "$dir/key.pem" && chmod 0640 "$dir/key.pem"
else
  chmod 0644 "$dir/key.pem"
fi
chmod 0644 "$dir/cert.pem"
echo "dev-cert: wrote $dir/cert.pem and $dir/key.pem for $*"

#!/bin/sh
# One S3 identity from the environment (S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY): with an identity
# configured SeaweedFS rejects every request not signed with its keys. The components talk to each
# other over 127.0.0.1; only the S3 gateway (port 8333) is for clients.
set -eu
: "${S3_ACCESS_KEY_ID:?S3_ACCESS_KEY_ID is required}"
: "${S3_SECRET_ACCESS_KEY:?S3_SECRET_ACCESS_KEY is required}"
umask 077
printf '{"identities":[{"name":"moocflix","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","List","Tagging","Write"]}]}\n' \
  "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY" >/tmp/identities.json
cd /tmp
exec weed mini -ip=127.0.0.1 -ip.bind=0.0.0.0 -dir=/data -master.peers=none \
  -s3.port=8333 -s3.config=/tmp/identities.json \
  -admin.ui=false -admin.port.legacy=0 -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
  -master.telemetry=false "$@"

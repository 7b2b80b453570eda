#!/bin/sh
# Prepares MinIO for wecomsync: creates the blob bucket the workers and the starter share (private),
# and the workers' own MinIO user, allowed nothing but that bucket. Idempotent: a second run changes
# nothing (the user's secret and policy are set again to the values given).
#
#   minio-init.sh BUCKET
#
# Environment: MINIO_URL (default http://minio:9000), MINIO_ROOT_USER, MINIO_ROOT_PASSWORD (the
# admin), BLOB_ACCESS_KEY and BLOB_SECRET_KEY (the workers' user; skipped when BLOB_ACCESS_KEY is
# empty, then the workers use the admin's keys), WAIT_SECONDS (default 120), MC (default mc).
# deploy/compose.infra.yml runs it in the minio/mc image (service minio-init) before the worker starts.
set -eu

bucket=${1:?usage: minio-init.sh BUCKET}
url=${MINIO_URL:-http://minio:9000}
wait_seconds=${WAIT_SECONDS:-120}
mc=${MC:-mc}
: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is not set}" "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is not set}"
# mc keeps its aliases in MC_CONFIG_DIR: a throwaway one, so no credential outlives the script.
MC_CONFIG_DIR=${TMPDIR:-/tmp}/minio-init.$$
export MC_CONFIG_DIR
mkdir -p "$MC_CONFIG_DIR"
trap 'rm -rf "$MC_CONFIG_DIR"' EXIT

start=$(date +%s)
# alias set connects and checks the credentials: it fails until MinIO answers.
until "$mc" alias set wecomsync "$url" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
	if [ $(($(date +%s) - start)) -ge "$wait_seconds" ]; then
		why=$("$mc" alias set wecomsync "$url" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" 2>&1) || true
		case $why in # mc quotes a secret it finds malformed: never print it
		*"$MINIO_ROOT_PASSWORD"*) why="mc refused the credentials (MinIO wants 3+ characters for the user, 8+ for the password)" ;;
		esac
		echo "minio-init: MinIO at $url did not accept the admin credentials within ${wait_seconds}s: $why" >&2
		exit 1
	fi
	sleep 2
done

"$mc" mb --ignore-existing "wecomsync/$bucket"
"$mc" anonymous set none "wecomsync/$bucket" >/dev/null
echo "minio-init: bucket $bucket ready (private)"

if [ -z "${BLOB_ACCESS_KEY:-}" ]; then
	exit 0
fi
: "${BLOB_SECRET_KEY:?BLOB_SECRET_KEY is not set (the secret of BLOB_ACCESS_KEY)}"
policy=wecomsync-$bucket
# (printf, not cat or grep: the mc image is ubi-micro, with little more than a shell)
printf '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::%s", "arn:aws:s3:::%s/*"]}]}\n' \
	"$bucket" "$bucket" >"$MC_CONFIG_DIR/policy.json"
"$mc" admin policy create wecomsync "$policy" "$MC_CONFIG_DIR/policy.json" >/dev/null
"$mc" admin user add wecomsync "$BLOB_ACCESS_KEY" "$BLOB_SECRET_KEY" >/dev/null
# attach answers an error when the policy is attached already: what counts is the user's policies.
"$mc" admin policy attach wecomsync "$policy" --user "$BLOB_ACCESS_KEY" >/dev/null 2>&1 || true
info=$("$mc" admin user info wecomsync "$BLOB_ACCESS_KEY")
case $info in
*"$policy"*) ;;
*)
	echo "minio-init: could not attach policy $policy to user $BLOB_ACCESS_KEY:" >&2
	"$mc" admin policy attach wecomsync "$policy" --user "$BLOB_ACCESS_KEY" >&2 || true
	exit 1
	;;
esac
echo "minio-init: user $BLOB_ACCESS_KEY may use bucket $bucket and nothing else"

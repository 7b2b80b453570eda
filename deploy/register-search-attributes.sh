#!/bin/sh
# Registers the search attributes wecomsync runs set (workflows/searchattrs.go) on a Temporal
# namespace, once the namespace answers. Idempotent: an attribute already registered with the same
# type is left alone; one registered with another type fails the script (a type cannot change).
#
#   register-search-attributes.sh Name=Type...
#
# Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default "default"),
# WAIT_SECONDS (how long to wait for the namespace, default 300), TEMPORAL_CLI (default temporal).
# Any other flag the temporal CLI takes (TLS, API key) can go in TEMPORAL_CLI_FLAGS.
# deploy/compose.infra.yml runs it in temporalio/admin-tools (service search-attributes) before the
# worker starts; on an existing cluster run it once per namespace — README "Real deployment".
set -eu

address=${TEMPORAL_ADDRESS:-localhost:7233}
namespace=${TEMPORAL_NAMESPACE:-default}
wait_seconds=${WAIT_SECONDS:-300}
cli=${TEMPORAL_CLI:-temporal}

if [ $# -eq 0 ]; then
	echo "usage: $0 Name=Type... (e.g. WecomsyncMode=Keyword)" >&2
	exit 2
fi
for pair in "$@"; do
	case $pair in
	*=Text | *=Keyword | *=Int | *=Double | *=Bool | *=Datetime | *=KeywordList) ;;
	*)
		echo "register-search-attributes: $pair is not Name=Type (Text, Keyword, Int, Double, Bool, Datetime, KeywordList)" >&2
		exit 2
		;;
	esac
done

temporal_cli() {
	# shellcheck disable=SC2086 # TEMPORAL_CLI_FLAGS is a list of flags
	"$cli" "$@" --address "$address" --namespace "$namespace" ${TEMPORAL_CLI_FLAGS:-}
}

# Temporal's frontend comes up before its namespaces are usable (auto-setup creates "default"
# after the schema): wait for the namespace itself.
start=$(date +%s)
until temporal_cli operator namespace describe >/dev/null 2>&1; do
	if [ $(($(date +%s) - start)) -ge "$wait_seconds" ]; then
		echo "register-search-attributes: namespace $namespace at $address did not answer within ${wait_seconds}s:" >&2
		temporal_cli operator namespace describe >&2 || true
		exit 1
	fi
	sleep 2
done

# registered NAME prints the type NAME is registered with on the namespace (nothing when absent).
registered() {
	temporal_cli operator search-attribute list | awk -v name="$1" '$1 == name { print $2; exit }'
}

failed=0
for pair in "$@"; do
	name=${pair%%=*}
	type=${pair#*=}
	have=$(registered "$name")
	if [ "$have" = "$type" ]; then
		echo "search attribute $name ($type) already registered on namespace $namespace"
		continue
	fi
	if [ -n "$have" ]; then
		echo "register-search-attributes: $name is registered on namespace $namespace as $have, wecomsync needs $type" >&2
		failed=1
		continue
	fi
	# Another process (a worker, a second run of this script) may register it at the same time:
	# whatever create answers, what counts is the type registered afterwards.
	temporal_cli operator search-attribute create --name "$name" --type "$type" >/dev/null 2>&1 || true
	have=$(registered "$name")
	if [ "$have" != "$type" ]; then
		echo "register-search-attributes: could not register $name ($type) on namespace $namespace:" >&2
		temporal_cli operator search-attribute create --name "$name" --type "$type" >&2 || true
		failed=1
		continue
	fi
	echo "search attribute $name ($type) registered on namespace $namespace"
done
exit "$failed"

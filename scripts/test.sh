#!/usr/bin/env bash
# The one test command. Store tests need TEST_DATABASE_URL and the browser tests
# AXE_CORE_JS (see .ci/run); extra arguments go to go test, e.g. -run TestNRM -v.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go test -count=1 -timeout 20m ./... "$@"

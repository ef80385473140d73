#!/usr/bin/env bash
# The one test command. Store tests need TEST_DATABASE_URL and the browser tests
# AXE_CORE_JS and Chromium (see .ci/run); extra arguments go to go test, e.g. -run TestNRM -v.
set -euo pipefail
cd "$(dirname "$0")/.."
# go test hides the output of passing packages, so say here what will be skipped.
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  echo "!!! TEST_DATABASE_URL is not set: the PostgreSQL store tests will be SKIPPED (only SQLite is tested). bash .ci/run starts a PostgreSQL." >&2
fi
if [ -z "${AXE_CORE_JS:-}" ] || [ ! -x /usr/bin/chromium ]; then
  echo "!!! AXE_CORE_JS is unset or /usr/bin/chromium is missing: the browser tests in e2e/ will be SKIPPED. bash .ci/run installs both." >&2
fi
if ! command -v pdftotext >/dev/null; then
  echo "!!! pdftotext is missing: the NRM PDF round trips in internal/nrm will be SKIPPED. bash .ci/run installs poppler-utils." >&2
fi
if [ ! -x /usr/sbin/nginx ] || [ ! -x /usr/bin/systemd-analyze ]; then
  echo "!!! nginx or systemd-analyze is missing: the deploy/ tests in reliability will be SKIPPED. bash .ci/run installs both." >&2
fi
exec go test -count=1 -timeout 45m ./... "$@"

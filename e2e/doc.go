// Package e2e holds Waymark's end-to-end tests: they build the real binary,
// start `waymark demo` on a free port and drive headless Chromium through the
// pages as a teacher, a Children's Services worker and a GP would, running
// axe-core on every page they land on.
//
// The tests need /usr/bin/chromium and AXE_CORE_JS (the path of
// node_modules/axe-core/axe.min.js after `npm ci` at the repository root).
// Without them they are skipped, except when CI=true, where they fail.
// Set E2E_SCREENSHOTS to a folder to keep a full-page PNG of every page.
//
//	npm ci --no-audit --no-fund
//	AXE_CORE_JS=$PWD/node_modules/axe-core/axe.min.js E2E_SCREENSHOTS=/tmp/shots go test ./e2e/ -v -count=1
package e2e

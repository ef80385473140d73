#!/usr/bin/env bash
# Rebuilds the GOV.UK Frontend assets that Waymark embeds in internal/web/assets/.
#
# Waymark is not on gov.uk, so the CSS is compiled from the Sass sources with
# Arial and without GDS Transport (docs: CI-RECIPES §C). The output is committed;
# run this only to change the govuk-frontend version (edit tools/govuk/package.json,
# then `npm install` there to update the lock file, then run this script).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/tools/govuk
out=$root/internal/web/assets

cd "$tools"
npm ci --no-audit --no-fund --ignore-scripts # sass is plain JS; its optional file watcher is not needed
dist=node_modules/govuk-frontend/dist/govuk
version=$(node -p 'require("./node_modules/govuk-frontend/package.json").version')

mkdir -p "$out"
node_modules/.bin/sass --style=compressed --no-source-map --quiet-deps \
  --silence-deprecation=import main.scss "$out/govuk.css"
if grep -q "GDS Transport" "$out/govuk.css"; then
  echo "refresh-govuk-frontend: govuk.css still names GDS Transport" >&2
  exit 1
fi

# The ES module from dist/govuk/, without the pointer to a source map we do not ship.
sed 's|//# sourceMappingURL=[^ ]*$||' "$dist/govuk-frontend.min.js" >"$out/govuk-frontend.min.js"

# Only the images the compiled CSS refers to (no fonts: we use Arial).
rm -rf "$out/images"
mkdir -p "$out/images"
images=$(grep -o 'url("*/assets/images/[^")]*' "$out/govuk.css" | sed 's|.*/assets/images/||' | sort -u)
for image in $images; do
  cp "$dist/assets/images/$image" "$out/images/$image"
done
if [ -z "$images" ]; then
  touch "$out/images/.keep" # keeps the //go:embed pattern valid
fi

echo "govuk-frontend $version" >"$out/VERSION"
echo "refresh-govuk-frontend: govuk-frontend $version -> ${out#"$root"/}"
ls -l "$out/govuk.css" "$out/govuk-frontend.min.js" "$out/images"

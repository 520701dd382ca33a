#!/usr/bin/env bash
# Re-make docs/report.png: the demo audit's HTML report as headless Chromium draws it.
set -euo pipefail
cd "$(dirname "$0")/.."
curate="${CURATE:-.venv/bin/curate}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$curate" audit examples/sms_spam --rules rules/examples/sms_spam.yaml --out "$out" -q || true
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$out/profile" --window-size="1280,${HEIGHT:-2200}" \
  --screenshot="$PWD/docs/report.png" "file://$out/report.html" 2>/dev/null
echo "wrote docs/report.png"

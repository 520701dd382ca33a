#!/usr/bin/env bash
# The whole story on the bundled demo (examples/sms_spam):
#   1. audit the raw data: it fails (train/test leaks, duplicates, personal data)
#   2. scrub personal data   3. deduplicate   4. audit again: it passes
#   5. fine-tune with LoRA, gated on the receipt of step 4
# Everything lands in runs/demo/. Run scripts/setup.sh first.
set -uo pipefail
cd "$(dirname "$0")/.."
curate=.venv/bin/curate
rules=rules/examples/sms_spam.yaml
run=runs/demo

# Each step prints how long the one before it took, and the total so far.
started=$SECONDS
last=
step() {
    if [ -n "$last" ]; then
        printf '   (%ds; %ds in all)\n' $((SECONDS - last)) $((SECONDS - started)) >&2
    fi
    last=$SECONDS
    printf '\n\033[1m== %s\033[0m\n' "$*" >&2
}
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

rm -rf "$run" && mkdir -p "$run"

step "1/5 Audit the raw data (it should fail)"
"$curate" audit examples/sms_spam --rules "$rules" --out "$run/audit-raw"
[ $? -eq 1 ] || die "expected the raw audit to fail the gate"
sed -n '/^| check/,/^$/p' "$run/audit-raw/report.md" >&2

step "2/5 Scrub personal data (a copy; examples/ stays as it is)"
cp -r examples/sms_spam "$run/data"
"$curate" scrub "$run/data" --in-place --rules "$rules"
[ $? -le 1 ] || die "scrub failed"

step "3/5 Deduplicate (one row per cluster of exact or near copies, so no test row copies a training row)"
"$curate" dedup "$run/data" --out "$run/curated" --rules "$rules" \
    --clusters "$run/duplicate-clusters.jsonl" || die "dedup failed"

step "4/5 Audit the curated data (it should pass)"
"$curate" audit "$run/curated" --rules "$rules" --out "$run/audit-curated" || die "the curated data did not pass"
sed -n '/^| check/,/^$/p' "$run/audit-curated/report.md" >&2

step "5/5 Fine-tune with LoRA, gated on the receipt"
"$curate" train "$run/curated" --receipt "$run/audit-curated/receipt.json" --recipe train/demo.yaml \
    --out "$run/model" \
    || die "training failed"

step "Done"
cat >&2 <<DONE
  raw audit       $run/audit-raw/report.html
  curated audit   $run/audit-curated/report.html   (receipt: $run/audit-curated/receipt.json)
  curated data    $run/curated/
  model           $run/model/   (model card: $run/model/README.md)
DONE

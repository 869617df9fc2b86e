#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the real captured samples in tests/fixtures (or $FIXTURES).
# fuzz/corpus is git-ignored: the fuzzer's own finds stay local; re-run this on a fresh checkout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="${FIXTURES:-$here/../tests/fixtures}"
[ -d "$fixtures/vcd/samples" ] || { echo "no samples under $fixtures (set FIXTURES=…)" >&2; exit 1; }
for t in vcd_xml inspect vcd_query_page; do mkdir -p "$here/corpus/$t"; done
cp "$fixtures"/vcd/samples/*.xml "$here/corpus/vcd_xml/"
cp "$fixtures"/vcd/samples/*.xml "$here/corpus/inspect/"
for p in vcenter vrops vro; do
  if [ -d "$fixtures/$p/samples" ]; then cp "$fixtures/$p"/samples/*.json "$here/corpus/inspect/"; fi
done
cp "$fixtures"/vcd/samples/query_*.xml "$here/corpus/vcd_query_page/"
chmod -R u+w "$here/corpus"
echo "seeded: $(for t in vcd_xml inspect vcd_query_page; do printf '%s=%s ' "$t" "$(ls "$here/corpus/$t" | wc -l)"; done)"

#!/usr/bin/env bash
# Huge and deeply nested inputs (1 MB of `<a>`, 1 MB of `[` …) through every fuzz target as
# single runs: none may crash or overflow the stack; vcd_xml prints each parse result (all Err,
# except the two well-formed ones: 127 closed levels, and one root with 2^18 empty children).
# Needs the targets built first: cargo fuzz build -s none
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/target/x86_64-unknown-linux-gnu/release"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/in"
python3 - "$dir/in" <<'PY'
import sys, os
d = sys.argv[1]
MB = 1 << 20
def w(name, data): open(os.path.join(d, name), "wb").write(data)
w("open_a_1mb.xml", b"<a>" * (MB // 3 + 1))
w("closed_a_1mb.xml", b"<a>" * (MB // 6) + b"</a>" * (MB // 6))
w("nested_129.xml", b"<a>" * 129 + b"</a>" * 129)
w("nested_127.xml", b"<a>" * 127 + b"</a>" * 127)
w("wide_1mb.xml", b"<r>" + b"<a/>" * (MB // 4) + b"</r>")
w("siblings_1mb.xml", b"<a/>" * (MB // 4))
w("json_arrays_1mb.json", b"[" * MB)
w("json_objects_1mb.json", b'{"a":' * (MB // 5))
w("bom_then_open_a.xml", b"\xef\xbb\xbf" + b"<a>" * (MB // 3))
PY
status=0
for t in vcd_xml inspect vcd_query_page; do
  echo "== $t"
  rc=0
  VNAV_FUZZ_PRINT=1 "$bin/$t" -timeout=30 -rss_limit_mb=2048 "$dir"/in/* >"$dir/log" 2>&1 || rc=$?
  grep -E '^parse:|^Executed|ERROR|panicked|overflow' "$dir/log" || true
  if [ "$rc" -ne 0 ]; then echo "!! $t exited $rc"; status=1; fi
done
[ "$status" -eq 0 ] && echo "deep_check: OK"
exit $status

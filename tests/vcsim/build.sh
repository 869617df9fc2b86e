#!/usr/bin/env bash
# Builds tests/vcsim into target/vcsim/vcsim-vnav with Debian's Go and govmomi, in GOPATH mode
# (Debian ships govmomi 0.24.2 as source under /usr/share/gocode; no module download needed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/target/vcsim"
mkdir -p "$out/gopath/src/vcsim-vnav" "$out/gocache"
cp "$here/main.go" "$out/gopath/src/vcsim-vnav/main.go"
cd "$out/gopath/src/vcsim-vnav"
GO111MODULE=off GOPATH="/usr/share/gocode:$out/gopath" GOCACHE="$out/gocache" go build -o "$out/vcsim-vnav" .
echo "$out/vcsim-vnav"

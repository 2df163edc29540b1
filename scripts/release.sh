#!/bin/sh
# Release builds of pufabot: static binaries (CGO_ENABLED=0) for linux/amd64,
# linux/arm64 and windows/amd64 in dist/, with their SHA-256 sums. The
# binaries carry the commit and build date (pufabot version).
#
#   scripts/release.sh            # or: DIST=out scripts/release.sh
set -eu
cd "$(dirname "$0")/.."
dist=${DIST:-dist}
commit=$(git rev-parse HEAD 2>/dev/null || echo "")
if [ -n "$commit" ] && [ -n "$(git status --porcelain 2>/dev/null)" ]; then
	commit="$commit-modified"
fi
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$dist"
for target in linux/amd64 linux/arm64 windows/amd64; do
	os=${target%/*}
	arch=${target#*/}
	out="$dist/pufabot-$os-$arch"
	[ "$os" = windows ] && out="$out.exe"
	echo "building $out"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
		-ldflags "-s -w -X main.commit=$commit -X main.buildDate=$date" \
		-o "$out" ./cmd/pufabot
done
cd "$dist"
sha256sum pufabot-* > SHA256SUMS
cat SHA256SUMS

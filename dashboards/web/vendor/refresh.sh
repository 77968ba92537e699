#!/usr/bin/env bash
# Refresh the vendored Apache ECharts from the npm registry (make vendor-echarts).
# `npm pack` fetches exactly the published tarball and checks the registry's integrity hash;
# nothing is installed. The dist file is self-contained (zrender is bundled in), so only it,
# its licence files and a checksum are committed; `go build` never needs npm.
#
#   dashboards/web/vendor/refresh.sh            # the version pinned below
#   ECHARTS_VERSION=6.1.0 dashboards/web/vendor/refresh.sh
set -euo pipefail

ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="$HERE/echarts"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

command -v npm >/dev/null 2>&1 || { echo "refresh.sh: npm not found (apt-get install npm, or use Node.js from nodejs.org)" >&2; exit 1; }
(cd "$TMP" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null)
tar -xzf "$TMP/echarts-$ECHARTS_VERSION.tgz" -C "$TMP"
mkdir -p "$DEST"
install -m 0644 "$TMP/package/dist/echarts.min.js" "$DEST/echarts.min.js"
install -m 0644 "$TMP/package/LICENSE" "$TMP/package/NOTICE" "$DEST/"
install -m 0644 "$TMP/package/licenses/LICENSE-d3" "$DEST/"
echo "echarts $ECHARTS_VERSION" >"$DEST/VERSION"
(cd "$DEST" && sha256sum echarts.min.js >SHA256SUMS)
echo "vendored echarts $ECHARTS_VERSION into $DEST ($(wc -c <"$DEST/echarts.min.js") bytes)"

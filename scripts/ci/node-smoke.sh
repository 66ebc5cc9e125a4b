#!/usr/bin/env bash
# A smoke run on each supported Node major besides the one that runs the whole suite (docs/adr/0017-node-lts-lines.md):
#   bash scripts/ci/node-smoke.sh [major ...]
# The majors default to those package.json's engines.node declares, less the running Node's
# (scripts/ci/node-versions.ts). Run from a checkout whose node_modules is installed (after `npm ci`).
# For each major, all majors at once:
#  1. the newest release of the major, from the npm registry's node-<platform>-<arch> package (the binary and
#     its C headers; `npm pack` checks the registry's integrity hash), kept in $NODE_SMOKE_CACHE/node/<version>;
#     when the registry cannot be asked, the newest release of the major already there;
#  2. a copy of the checkout in tmp/node-smoke/<major>: the files git knows, node_modules hard-linked from
#     this checkout's, and each node-gyp addon (better-sqlite3) copied for real and rebuilt against that
#     Node's headers. This checkout's node_modules stays built for the Node that runs the main suite. An
#     addon's build is kept in $NODE_SMOKE_CACHE/addons, keyed by its version and the Node version;
#  3. with that Node: the unit tests of the segments and phone libraries (Jest), then scripts/ci/gateway-smoke.ts
#     (npm start's gateway, one message through the API to `delivered`, a clean SIGTERM).
# Then, with the running Node, that this checkout's better-sqlite3 still loads.
# Prints each check's `ok`/`not ok` line, each major's time, and last `node smoke: N ok, N not ok`
# (Jest's tests plus the gateway's checks, plus one failure for a major that could not be prepared).
# Exits 1 when anything failed. $NODE_SMOKE_CACHE defaults to ~/.cache/sms-gateway: keep it between CI runs.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CACHE="${NODE_SMOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sms-gateway}"
WORK="$ROOT/tmp/node-smoke"
UNIT_TESTS='libs/shared/(util-segments|util-phone)/'
SYSTEM_NODE="$(command -v node)" || { echo "node-smoke: no node on PATH" >&2; exit 1; }
PLATFORM="$("$SYSTEM_NODE" -p 'process.platform + "-" + process.arch')"
PACKAGE="node-$PLATFORM"   # what the `node` package on npm installs its binary from
if [ "$#" -gt 0 ]; then
  MAJORS=("$@")
else
  others="$("$SYSTEM_NODE" -r ./scripts/register.js scripts/ci/node-versions.ts --others)" ||
    { echo "node-smoke: cannot read the supported majors from package.json" >&2; exit 1; }
  read -r -a MAJORS <<< "$others"
fi
[ "${#MAJORS[@]}" -gt 0 ] || { echo "node-smoke: no other supported major to run on"; echo "node smoke: 0 ok, 0 not ok"; exit 0; }

log() { echo "node-smoke: $*"; }

# The newest published version of a major, or of the releases of it already cached.
resolve_version() {
  local major="$1" version
  version="$(npm view "$PACKAGE@$major" version --json 2>/dev/null | tr -d '[]", ' | grep -E "^$major\." | sort -V | tail -n 1)"
  if [ -z "$version" ]; then
    version="$(find "$CACHE/node" -mindepth 2 -maxdepth 2 -name .complete -path "*/$major.*" 2>/dev/null |
      sed 's|/.complete$||; s|.*/||' | sort -V | tail -n 1)"
    [ -n "$version" ] && log "node $major: the registry did not answer; using the cached $version" >&2
  fi
  [ -n "$version" ] && echo "$version"
}

# Unpacks node-<platform>@<version> into the cache once; prints its directory.
fetch_node() {
  local version="$1" dir="$CACHE/node/$1" staging
  if [ ! -f "$dir/.complete" ]; then
    mkdir -p "$CACHE/node" && staging="$(mktemp -d "$CACHE/node/.fetch.XXXXXX")" || return 1
    if ! (cd "$staging" && npm pack "$PACKAGE@$version" --silent >/dev/null) ||
      ! mkdir "$staging/node" || ! tar -xzf "$staging"/*.tgz -C "$staging/node" --strip-components=1; then
      rm -rf "$staging"; log "could not fetch $PACKAGE@$version" >&2; return 1
    fi
    # The headers are what a native addon is built against when no prebuilt binary can be downloaded.
    if [ ! -x "$staging/node/bin/node" ] || [ ! -f "$staging/node/include/node/node.h" ]; then
      rm -rf "$staging"; log "$PACKAGE@$version has no bin/node or include/node/node.h" >&2; return 1
    fi
    touch "$staging/node/.complete"
    mv -T "$staging/node" "$dir" 2>/dev/null   # fails only when a concurrent run put its copy there first
    rm -rf "$staging"
  fi
  [ -f "$dir/.complete" ] && echo "$dir"
}

# Packages in node_modules built by node-gyp at install time: their binaries are tied to one Node ABI.
native_addons() {
  local gyp package
  while IFS= read -r -d '' gyp; do
    package="${gyp%/binding.gyp}"
    [ -f "$package/package.json" ] && [ -d "$package/build" ] && echo "$package"
  done < <(find node_modules/ -name binding.gyp -not -path '*/test/*' -print0)
}

# tmp/node-smoke/<major>: this checkout's files with node_modules whose native addons fit the major's ABI.
prepare_tree() {
  local tree="$1" node_dir="$2" addon name version key cached
  rm -rf "$tree" && mkdir -p "$tree" || return 1
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do [[ "$file" != node_modules* ]] && [ -e "$file" ] && printf '%s\0' "$file"; done |
    tar --null -T - -cf - | tar -xf - -C "$tree" || { log "could not copy the checkout" >&2; return 1; }
  # Hard links: seconds, no space (a real copy on another file system). A file written in place through a
  # link would change this checkout's node_modules too: the addons the smoke rebuilds and the files npm
  # keeps at the top of node_modules (its hidden lockfile) are replaced by real copies first.
  cp -al "$(cd node_modules && pwd -P)" "$tree/node_modules" 2>/dev/null ||
    { rm -rf "$tree/node_modules" && cp -a "$(cd node_modules && pwd -P)" "$tree/node_modules"; } ||
    { log "could not copy node_modules" >&2; return 1; }
  find "$tree/node_modules" -maxdepth 1 -type f -exec sh -c 'cp -p "$1" "$1.copy" && mv -f "$1.copy" "$1"' _ {} \; ||
    return 1
  while IFS= read -r addon; do
    name="$("$SYSTEM_NODE" -p "require('./$addon/package.json').name")"
    version="$("$SYSTEM_NODE" -p "require('./$addon/package.json').version")"
    key="${name//\//+}@$version-node$("$node_dir/bin/node" -p process.version)-$PLATFORM"
    cached="$CACHE/addons/$key"
    rm -rf "${tree:?}/$addon" && cp -a "$addon" "$tree/$addon" || return 1
    if [ -f "$cached/.complete" ]; then
      log "$name@$version for $(basename "$node_dir"): from the cache"
      rm -rf "${tree:?}/$addon/build" && cp -a "$cached/build" "$tree/$addon/build" || return 1
      continue
    fi
    log "$name@$version for $(basename "$node_dir"): rebuilding"
    # npm runs the addon's install script: a prebuilt binary for this ABI when it can download one, else a
    # build from source against this Node's headers (npm_config_nodedir; CI's default points at the system Node).
    (cd "$tree" && PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" npm rebuild "$name" --no-audit --no-fund) ||
      { log "npm rebuild $name failed for node $(basename "$node_dir")" >&2; return 1; }
    mkdir -p "$CACHE/addons" && rm -rf "$cached.partial" && mkdir "$cached.partial" &&
      (cd "$tree/$addon" && find build -name '*.node' -print0 | tar --null -T - -cf -) | tar -xf - -C "$cached.partial" &&
      touch "$cached.partial/.complete" && { mv -T "$cached.partial" "$cached" 2>/dev/null || rm -rf "$cached.partial"; } ||
      log "could not keep the $name build in the cache (not fatal)" >&2
  done < <(native_addons)
}

# One major end to end; its output goes to $WORK/<major>.log, its counts to $WORK/<major>.counts.
smoke_major() {
  local major="$1" started=$SECONDS version node_dir tree="$WORK/$1" node passed=0 failed=0 out counted p f rc
  local counts="$WORK/$major.counts"
  echo "0 1" > "$counts"   # until the checks have run: a major that cannot be prepared counts as one failure
  version="$(resolve_version "$major")" || { log "node $major: no release found" >&2; return 1; }
  node_dir="$(fetch_node "$version")" || return 1
  node="$node_dir/bin/node"
  log "node $major: $version, fetched after $((SECONDS - started))s"
  prepare_tree "$tree" "$node_dir" || { log "node $major: could not prepare $tree" >&2; return 1; }
  log "node $major: tree ready after $((SECONDS - started))s"

  out="$WORK/$major.jest.json"
  rm -f "$out"
  (cd "$tree" && PATH="$node_dir/bin:$PATH" "$node" node_modules/jest/bin/jest.js --ci --silent \
    --selectProjects unit --testPathPatterns "$UNIT_TESTS" --json --outputFile="$out" 2>&1 | tail -n 5)
  if counted="$("$node" -p "const r = require('$out'); (r.numPassedTests | 0) + ' ' + ((r.numFailedTests | 0) + (r.numRuntimeErrorTestSuites | 0))" 2>/dev/null)"; then
    read -r p f <<< "$counted"
    [ "$p" -gt 0 ] || f=$((f + 1))   # no test ran: the pattern matches nothing any more
    passed=$((passed + p)); failed=$((failed + f))
    echo "$([ "$f" -eq 0 ] && echo ok || echo 'not ok') - node v$version: unit tests $UNIT_TESTS ($p passed, $f failed)"
  else
    failed=$((failed + 1)); echo "not ok - node v$version: unit tests $UNIT_TESTS produced no results"
  fi

  out="$(cd "$tree" && "$node" -r ./scripts/register.js scripts/ci/gateway-smoke.ts 2>&1)"
  rc=$?
  echo "$out"
  p="$(grep -c '^ok ' <<< "$out")"; f="$(grep -c '^not ok ' <<< "$out")"
  [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1   # it died before it could say which check failed
  passed=$((passed + p)); failed=$((failed + f))
  echo "$passed $failed" > "$counts"
  # A tree left in tmp/ is crawled by the main run's Jest (a second package.json named sms-gateway): keep it
  # only to look into a failure.
  if [ "$failed" -eq 0 ]; then rm -rf "$tree"; else log "node $major: kept $tree to look into"; fi
  log "node $major: $passed passed, $failed failed in $((SECONDS - started))s"
}

rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
pids=()
for major in "${MAJORS[@]}"; do
  smoke_major "$major" > "$WORK/$major.log" 2>&1 &
  pids+=($!)
done
for i in "${!MAJORS[@]}"; do
  wait "${pids[$i]}"
  cat "$WORK/${MAJORS[$i]}.log"
done
passed=0; failed=0
for major in "${MAJORS[@]}"; do
  read -r p f < "$WORK/$major.counts" || { p=0; f=1; }
  passed=$((passed + p)); failed=$((failed + f))
done
# The rebuilds must not have reached this checkout's node_modules through a hard link.
if "$SYSTEM_NODE" -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"; then
  echo "ok - node $("$SYSTEM_NODE" -v): this checkout's better-sqlite3 still loads"; passed=$((passed + 1))
else
  echo "not ok - node $("$SYSTEM_NODE" -v): this checkout's better-sqlite3 no longer loads"; failed=$((failed + 1))
fi
log "took ${SECONDS}s"
echo "node smoke: $passed ok, $failed not ok"
[ "$failed" -eq 0 ]

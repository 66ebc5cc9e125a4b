#!/usr/bin/env bash
# Points git at the repository's hooks (.githooks: the commit-message check). Run by `npm install`'s
# prepare step; does nothing outside a git checkout or when hooks are already configured elsewhere.
set -euo pipefail
git rev-parse --git-dir >/dev/null 2>&1 || exit 0
current="$(git config --get core.hooksPath || true)"
if [ -z "$current" ]; then
  git config core.hooksPath .githooks
fi

#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (https://gradescope-autograders.readthedocs.io/en/latest/specs/): it installs
# Node 20 and kubelab at the course's pinned version. It needs the network at
# build time (NodeSource, the kubelab repository, the npm registry).
set -euo pipefail

# The kubelab this course grades with: a repository and a tag, never a branch.
KUBELAB_REPOSITORY="${KUBELAB_REPOSITORY:-https://github.com/my-course/kubelab.git}"
KUBELAB_REF="${KUBELAB_REF:-v0.1.0}"
AUTOGRADER_ROOT="${AUTOGRADER_ROOT:-/autograder}"
KUBELAB_HOME="${KUBELAB_HOME:-$AUTOGRADER_ROOT/kubelab}"

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl git gnupg

# Node 20: the distribution's package is older on Gradescope's Ubuntu images.
if ! node --version 2>/dev/null | grep -q '^v2[0-9]\.'; then
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
fi
node --version

# kubelab itself: bundled in the autograder zip as kubelab/, or cloned at the tag.
if [ -d "$AUTOGRADER_ROOT/source/kubelab" ]; then
  cp -a "$AUTOGRADER_ROOT/source/kubelab" "$KUBELAB_HOME"
else
  git clone --depth 1 --branch "$KUBELAB_REF" "$KUBELAB_REPOSITORY" "$KUBELAB_HOME"
fi
(cd "$KUBELAB_HOME" && npm ci --no-audit --no-fund)
# Proves kubelab loads (tsx, its dependencies) before the first submission arrives.
node "$KUBELAB_HOME/bin/kubelab.js" --help >/dev/null

#!/usr/bin/env bash
# Run a command inside the pinned Keras venv (.venv at the repo root), creating or refreshing it first.
#   bash scripts/keras-env.sh python scripts/generate_fixtures.py verify
# The venv is (re)installed only when scripts/requirements*.txt change: a stamp file holds their sha256.
# tf-keras goes in with --no-deps (its metadata asks for `tensorflow`; requirements.txt has tensorflow-cpu).
# torch (for the PyTorch example engine the tests run) comes from examples/engines/python-torch.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$root/.venv"
stamp="$venv/.keras-env-stamp"
python="${KERAS_ENV_PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3

torch_requirements="$root/examples/engines/python-torch/requirements.txt"
want="$(cat "$here/requirements.txt" "$here/requirements-legacy.txt" "$torch_requirements" | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"

if [ ! -x "$venv/bin/python" ] || [ "$want" != "$have" ]; then
  echo "keras-env: installing pinned requirements into .venv (first run takes a few minutes)" >&2
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$here/requirements-legacy.txt"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$torch_requirements"
  echo "$want" > "$stamp"
fi

export KERAS_BACKEND="${KERAS_BACKEND:-tensorflow}"
export TF_CPP_MIN_LOG_LEVEL=2
export TF_ENABLE_ONEDNN_OPTS=0
export JAX_PLATFORMS=cpu
export CUDA_VISIBLE_DEVICES=""
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export PATH="$venv/bin:$PATH"
cd "$root"
exec "$@"

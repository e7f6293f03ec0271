# Shared by scripts/run and scripts/test: a virtualenv with pinned packages,
# compiled translations. Sourced, not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# Reinstall only when a requirements file changed since the last install.
stamp="$VENV/.requirements-$1.sha"
wanted=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing Python packages ($1)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "requirements${2:-}.txt"
  echo "$wanted" > "$stamp"
fi
if ! out=$("$VENV/bin/pybabel" compile -d barcamp/translations 2>&1); then
  echo "$out" >&2
  exit 1
fi


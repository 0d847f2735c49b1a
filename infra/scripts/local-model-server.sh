#!/usr/bin/env bash
# Runs llama.cpp's OpenAI-compatible server on the local model (Gemma 3 270M) in the foreground, on 127.0.0.1 and
# LOCAL_LLM_PORT (default 8091). `exec`s the server, so the caller's pid is the server's (platform-up.sh keeps it
# in a pid file; the e2e spec spawns it). Installs nothing: without `make install` it says what to run and exits 1.
#   LOCAL_LLM_PORT     port (8091)
#   LOCAL_LLM_CTX      context size of one request in tokens (8192: the catalog's context_window)
#   LOCAL_LLM_SLOTS    requests decoded together, continuous batching (2)
#   LOCAL_LLM_THREADS  CPU threads (2: the machine's cores)
#   LOCAL_LLM_CACHE_RAM_MIB  prompt cache in memory (256)
set -euo pipefail
paths="$(bash "$(dirname "${BASH_SOURCE[0]}")/install-local-model.sh" --check)"
eval "$paths"
SLOTS="${LOCAL_LLM_SLOTS:-2}"
CTX="${LOCAL_LLM_CTX:-8192}"
# --alias: the name /v1/models lists and responses carry (the catalog's deployment). --ctx-size is shared by the
# slots, hence multiplied. --metrics: Prometheus counters, which the e2e spec reads to prove the call reached this
# server. The GGUF is the pretrained model and stores no chat template, so the server would fall back to ChatML;
# `--chat-template gemma` is llama.cpp's built-in Gemma turn format, and needs --no-jinja (with Jinja on, the
# word "gemma" itself is taken as the template, and every prompt renders to 3 tokens). --cache-ram bounds the
# prompt cache kept in memory (llama.cpp's default is 8 GiB, too much beside everything else on a 24 GiB machine;
# 256 MiB holds about 17,000 tokens of this model's KV).
exec "$LLAMA_SERVER_BIN" --model "$LOCAL_MODEL_GGUF" --alias gemma-3-270m \
  --host 127.0.0.1 --port "${LOCAL_LLM_PORT:-8091}" \
  --ctx-size $((CTX * SLOTS)) --parallel "$SLOTS" --threads "${LOCAL_LLM_THREADS:-2}" \
  --no-jinja --chat-template gemma --cache-ram "${LOCAL_LLM_CACHE_RAM_MIB:-256}" --metrics --no-webui

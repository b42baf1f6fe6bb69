#!/usr/bin/env bash
set -euo pipefail
# Smoke test through the gateway (route names only).
ROUTE=${ROUTE:-support-triage}
curl -s "$GATEWAY/v1/chat/completions" -d '{"model":"'"$ROUTE"'","messages":[]}'
ollama run llama3.1:8b "hello"
aider --model openrouter/deepseek/deepseek-r1:free
echo "args: $# done"

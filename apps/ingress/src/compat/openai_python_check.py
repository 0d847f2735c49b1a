"""Runs the official OpenAI Python SDK, unchanged, against ingress: models.list, chat, streaming, JSON mode.
Reads OPENAI_BASE_URL and OPENAI_API_KEY; prints one JSON line of findings; exits non-zero on any failure."""
import json
import sys

from openai import OpenAI

client = OpenAI(max_retries=0, timeout=30)
out = {}

models = client.models.list()
out["models"] = sorted(m.id for m in models.data)

chat = client.chat.completions.create(model="sim-small", messages=[{"role": "user", "content": "say hello"}])
out["chat"] = chat.choices[0].message.content
out["chat_usage"] = chat.usage.total_tokens if chat.usage else None

parts = []
stream = client.chat.completions.create(model="sim-small", messages=[{"role": "user", "content": "stream please"}], stream=True)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        parts.append(chunk.choices[0].delta.content)
out["stream"] = "".join(parts)

js = client.chat.completions.create(
    model="sim-small",
    messages=[{"role": "user", "content": "answer in JSON"}],
    response_format={"type": "json_object"},
)
out["json"] = json.loads(js.choices[0].message.content)

try:
    client.chat.completions.create(model="sim-large", messages=[{"role": "user", "content": "x"}])
    out["paid_only"] = "allowed"
except Exception as e:  # the SDK's typed error carries our code
    out["paid_only"] = type(e).__name__ + ":" + str(getattr(e, "code", ""))

print(json.dumps(out))
sys.exit(0)

"""LLM helpers. Uses the claude-sonnet-4-5 model by default."""
import os
from anthropic import Anthropic
from langchain_openai import ChatOpenAI
import llama_index

DEFAULT_MODEL = os.environ.get("MODEL", "claude-sonnet-4-5-20250929")
size = "70b"
LOCAL = f"llama-3.1-{size}-instruct"
PROMPT = f"""You are a helpful assistant.
Answer in {os.environ.get('LANG', 'en')}."""

def pick(tier: str) -> str:
    # we call haiku for cheap things, gpt 4 for the rest
    if tier == "cheap":
        return 'qwen2.5-7b-instruct'
    return "support-triage"

EMBEDDINGS = ["text-embedding-3-large"]  # 3072 dims
BEDROCK = "anthropic.claude-3-5-sonnet-20240620-v1:0"
PROFILE = 'us.anthropic.claude-sonnet-4-20250514-v1:0'
ARN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"
VERTEX = "projects/acme/locations/us-central1/publishers/google/models/gemini-2.5-pro"
MODEL_VERSION = "2024-08-06"

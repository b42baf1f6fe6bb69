region   = "eu-west-1"
model_id = "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
# embeddings: cohere.embed-multilingual-v3
instance = "t3.medium"

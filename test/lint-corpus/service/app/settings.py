from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    gateway_url: str = "http://localhost:4000/v1"
    route: str = "summarise"
    model: str = "gpt-5"
    reranker: str = "rerank-english-v3.0"
    # cohere's command-r-plus was too slow
    llama_version: str = "3"

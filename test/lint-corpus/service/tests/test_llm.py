# Application tests are application code too.
from app.llm import pick

def test_pick_cheap():
    assert pick("cheap") == "qwen2.5-7b-instruct"

def test_route():
    assert pick("default") == "support-triage"

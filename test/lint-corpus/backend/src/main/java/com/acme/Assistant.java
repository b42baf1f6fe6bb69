package com.acme;

import com.anthropic.client.AnthropicClient;

/** Talks to the gateway. Never names claude-3-opus-20240229 directly (it used to). */
public class Assistant {
    private static final String MODEL = "claude-3-haiku-20240307";
    private static final String ROUTE = "support-triage";
    private static final String PROMPT = """
        You are a support agent for gpt-3.5-turbo era tickets.
        """;
    char grade = 'A';
}

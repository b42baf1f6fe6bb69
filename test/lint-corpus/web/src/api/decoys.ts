// Nothing in this file is a model id.
import { encoding_for_model } from 'tiktoken';
import { ChatAnthropic } from '@langchain/anthropic';
export const links = ['https://openai.com/index/gpt-4-research/', 'https://www.anthropic.com/claude'];
export const words = ['gpt', 'claude', 'llama', 'gemini', 'mistral', 'o1', 'qwen'];
export const packages = ['@anthropic-ai/sdk', 'langchain-openai', 'llama-cpp-python', 'gemini-cli', 'claude-code'];
export const versions = ['v1.2.3', '2024-08-06', 'node-20', 'python3.12', 'es2022'];
export const lookalikes = ['command-line', 'phi-function', 'gpt-tokenizer', 'sonar-scanner', 'nova-theme', 'o-ring', 'llama-index'];
export const css = { o1: 'opacity-10', grok: 'understand' };
export function o3(x: number) { return x * 3; }
export const note = 'call the support-triage route';

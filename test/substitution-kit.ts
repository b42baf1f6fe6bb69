// Shared test data for the substitution tests (evals, shadow, promotion, replay): a question set
// for the knowledge provider, a suite over it, and a gateway config with an incumbent and a
// candidate deployment on that provider.
import type { Facts } from '../testkit/knowledge.js';

export const FACTS: Facts = [
  ['capital of France', 'Paris is the capital of France.'],
  ['capital of Japan', 'Tokyo is the capital of Japan.'],
  ['capital of Italy', 'Rome is the capital of Italy.'],
  ['capital of Spain', 'Madrid is the capital of Spain.'],
  ['capital of Canada', 'Ottawa is the capital of Canada.'],
  ['capital of Kenya', 'Nairobi is the capital of Kenya.'],
  ['capital of Peru', 'Lima is the capital of Peru.'],
  ['capital of Norway', 'Oslo is the capital of Norway.'],
  ['capital of Egypt', 'Cairo is the capital of Egypt.'],
  ['capital of Chile', 'Santiago is the capital of Chile.'],
];

export const QUESTIONS = FACTS.map(([q]) => `What is the ${q}?`);

/** A suite over FACTS bound to route `qa`. */
export function suiteYaml(route = 'qa'): string {
  const cases = FACTS.map(([q, a], i) => {
    const city = a.split(' ')[0]!;
    return `  - id: q${i}\n    vars: { q: "${q}" }\n    tags: [geo]\n    assert:\n      - { type: icontains, value: "${city}", weight: 2 }\n      - { type: similar, reference: "${a}", threshold: 0.5 }\n      - { type: max-cost, usd: 0.01 }`;
  });
  return `name: capitals\nroute: ${route}\nprompt:\n  - { role: system, content: "Answer in one sentence." }\n  - { role: user, content: "What is the {{q}}?" }\ncases:\n${cases.join('\n')}\n`;
}

/** Providers and deployments on the knowledge server at `url`; `routes` is appended as-is. */
export function substitutionConfig(url: string, routes: string): string {
  return `
providers:
  k: { format: openai-chat, base_url: ${url}/v1, auth: none }
deployments:
  incumbent: { provider: k, model: good, price: { input: 3, output: 15 } }
  candidate: { provider: k, model: cheap, price: { input: 1, output: 5 } }
  grader: { provider: k, model: judge, price: { input: 0.5, output: 0.5 } }
routes:
${routes}
`;
}

// Generates the labelled data the shipped `default` router is trained and evaluated on
// (data/router/train.jsonl, data/router/eval.jsonl) and calibrated on (calibration.jsonl, checked
// on heldback.jsonl). Written for this project (Apache-2.0, like
// the rest of the repository); no third-party data set is used. Deterministic: the same script
// writes the same files. Run: node scripts/router-data.mjs
//
// What the labels mean: each prompt family has the rate at which a small, cheap model answers it
// acceptably (weak) and a frontier model does (strong), set from what the families ask for:
// routine transformations (classify, extract, translate, reformat, short facts) are usually within
// a small model's reach; multi-step reasoning, proofs, design and debugging usually are not.
// Per prompt, the outcome is drawn from those rates, so the labels are noisy the way real ones
// are. The evaluation set uses families held out of training, so its curve measures how the
// router generalises to kinds of prompts it has not seen, not how well it memorised templates.
// This is a stand-in for real labels: train on your own traffic (`modelplane router train`,
// with outcome labels from feedback or evals) for a router that knows your workload.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rng = mulberry32(20261204);
const pick = (a) => a[Math.floor(rng() * a.length)];

const products = ['the billing dashboard', 'our mobile app', 'the checkout page', 'the VPN client', 'the printer driver', 'the analytics export', 'the password reset flow', 'the shipping tracker'];
const topics = ['photosynthesis', 'inflation', 'the French Revolution', 'black holes', 'vaccines', 'supply chains', 'compound interest', 'plate tectonics', 'the immune system', 'cloud computing'];
const langs = ['French', 'Spanish', 'German', 'Italian', 'Portuguese', 'Dutch'];
const sentences = ['The meeting is moved to Thursday at 3pm.', 'Please send the invoice by Friday.', 'Our office will be closed on Monday.', 'The package arrived damaged.', 'I would like to cancel my subscription.', 'Thanks for the quick reply!'];
const names = ['Maria Lopez', 'Chen Wei', 'Amara Okafor', 'John Smith', 'Priya Patel', 'Lars Eriksen'];
const cities = ['Lisbon', 'Nairobi', 'Osaka', 'Toronto', 'Krakow', 'Austin'];
const systems = ['a URL shortener', 'a rate limiter for an API', 'a chat application', 'a payment ledger', 'a recommendation service', 'a distributed job queue', 'a feature-flag service'];
const langsCode = ['Python', 'TypeScript', 'Go', 'Rust', 'Java'];
const bugs = ['a race condition that loses updates under load', 'a memory leak that grows with each request', 'an off-by-one error in pagination', 'a deadlock between two locks', 'intermittent timeouts when the cache is cold'];
const n = () => 2 + Math.floor(rng() * 97);

// family: [name, weak rate, strong rate, prompt maker]
const EASY = [
  ['sentiment', 0.93, 0.97, () => `Classify the sentiment of this review as positive, negative or neutral: "${pick(['Loved it, works great', 'Terrible support, never again', 'It is fine I guess', 'Arrived late but works'])} with ${pick(products)}."`],
  ['ticket-category', 0.9, 0.96, () => `Which category does this support ticket belong to (billing, technical, account, other)? Ticket: "I cannot log in to ${pick(products)} since yesterday."`],
  ['translate', 0.9, 0.97, () => `Translate into ${pick(langs)}: "${pick(sentences)}"`],
  ['extract-contact', 0.9, 0.97, () => `Extract the name and city as JSON with keys name and city: "Hi, this is ${pick(names)} writing from ${pick(cities)} about my order."`],
  ['capital', 0.95, 0.98, () => `What is the capital of ${pick(['Portugal', 'Kenya', 'Japan', 'Canada', 'Poland', 'Peru', 'Norway'])}? Answer in one word.`],
  ['reformat-date', 0.92, 0.97, () => `Convert this date to ISO 8601 format: ${pick(['March 3rd, 2025', '12/07/2024', '1 Feb 2023', 'July 14 2026'])}`],
  ['spellfix', 0.9, 0.96, () => `Fix the spelling in this sentence: "${pick(['Teh meetign is tommorow', 'Plese recieve the atached file', 'Thier adress has chnaged'])}"`],
  ['summarize-short', 0.85, 0.95, () => `Summarize in one sentence: ${pick(sentences)} ${pick(sentences)} ${pick(sentences)}`],
  ['yes-no', 0.9, 0.96, () => `Answer yes or no: is ${n()} an even number?`],
  ['tag-language', 0.93, 0.97, () => `Detect the language of this text and reply with its name only: "${pick(['Bonjour tout le monde', 'Guten Morgen', 'Buenos días', 'Bom dia a todos'])}"`],
  ['list-items', 0.88, 0.95, () => `List three common uses of ${pick(['baking soda', 'vinegar', 'a spreadsheet', 'a hammer', 'email filters'])}.`],
  ['rewrite-polite', 0.87, 0.95, () => `Rewrite this message to sound more polite: "${pick(['Send it now.', 'Why is this late again?', 'Fix your bug.'])}"`],
];
const MEDIUM = [
  ['explain-topic', 0.6, 0.93, () => `Explain ${pick(topics)} to a high-school student in two paragraphs.`],
  ['email-draft', 0.65, 0.93, () => `Draft a short email to a customer explaining that ${pick(products)} will be down for maintenance on Saturday, and apologise.`],
  ['sql-simple', 0.55, 0.9, () => `Write a SQL query that returns the ten customers with the highest total order value from tables customers(id, name) and orders(id, customer_id, amount).`],
  ['regex', 0.5, 0.9, () => `Write a regular expression that matches ${pick(['UK postcodes', 'ISO dates', 'hex colour codes', 'IPv4 addresses'])}, and explain each part.`],
  ['compare-two', 0.5, 0.9, () => `Compare ${pick(['REST and GraphQL', 'SQL and NoSQL databases', 'threads and processes', 'TCP and UDP'])}: give the main trade-offs in a short table.`],
  ['word-problem', 0.45, 0.9, () => `A train leaves at ${n() % 12 + 1}:00 travelling ${n() + 40} km/h; another leaves an hour later at ${n() + 60} km/h on the same track. When does the second catch up? Show your steps.`],
];
const HARD = [
  ['proof', 0.12, 0.8, () => `Prove that there are infinitely many primes of the form 4k+3. Give a rigorous, step by step proof.`],
  ['system-design', 0.15, 0.85, () => `Design ${pick(systems)} that handles ${n()} thousand requests per second across three regions. Cover the data model, consistency trade-offs, failure modes and how you would test it.`],
  ['debug-concurrency', 0.15, 0.8, () => `Our ${pick(langsCode)} service has ${pick(bugs)}. Here is the code:\n\`\`\`\nlock(a); read(x); lock(b); write(y); unlock(a); unlock(b);\n\`\`\`\nAnalyse the root cause, explain why it only appears under load, and propose a fix with its trade-offs.`],
  ['refactor', 0.2, 0.85, () => `Refactor this ${pick(langsCode)} module to remove the global state and make it testable; explain each step and the risks:\n\`\`\`\nclass Cache { static items = {}; static get(k) { return Cache.items[k]; } }\nfunction handler(req) { if (!Cache.get(req.id)) { Cache.items[req.id] = load(req.id); } return render(Cache.get(req.id)); }\n\`\`\``],
  ['math-derive', 0.15, 0.82, () => `Derive the closed form of the sum of k^3 for k = 1..n and prove it by induction.`],
  ['strategy-synthesis', 0.2, 0.85, () => `We are a ${n()}-person company choosing between building and buying ${pick(['an identity provider', 'a data warehouse', 'a billing system'])}. Reconcile the finance team's cost model with engineering's risk concerns, evaluate three options, and recommend a plan with milestones.`],
  ['algorithm', 0.2, 0.85, () => `Give an algorithm to find the ${pick(['longest palindromic substring', 'minimum spanning tree of a dense graph', 'k most frequent elements in a stream'])} and analyse its time and space complexity; then optimise it and justify the improvement.`],
];
// Held out of training: the evaluation set measures generalisation to unseen kinds of prompts.
const HELD_OUT = [
  ['easy', 'unit-convert', 0.92, 0.97, () => `Convert ${n()} miles to kilometres and give just the number.`],
  ['easy', 'title-case', 0.93, 0.97, () => `Put this title in title case: "${pick(['the quick guide to budgets', 'how to reset your router', 'notes from the annual meeting'])}"`],
  ['easy', 'extract-amount', 0.9, 0.96, () => `Extract the total amount due from this text as a number: "Your invoice total is ${n()}.${n() % 10}0 EUR, due on the 5th."`],
  ['medium', 'pros-cons', 0.55, 0.9, () => `Give the pros and cons of ${pick(['remote work', 'electric cars', 'open-plan offices', 'microservices'])} in a balanced short answer.`],
  ['medium', 'code-simple', 0.55, 0.92, () => `Write a ${pick(langsCode)} function that removes duplicates from a list while keeping order, with a short docstring.`],
  ['hard', 'proof-geometry', 0.12, 0.78, () => `Prove that the angle bisectors of a triangle meet at a single point, and derive the radius of the inscribed circle from the side lengths.`],
  ['hard', 'incident-analysis', 0.18, 0.85, () => `After a deploy, p99 latency of ${pick(systems)} tripled while CPU stayed flat. Analyse the likely causes step by step, explain how you would confirm each one, and plan the rollback and the fix.`],
  ['hard', 'optimise-query', 0.2, 0.82, () => `This query over a ${n()} million row table takes minutes:\n\`\`\`\nSELECT user_id, COUNT(*) FROM events WHERE created_at > now() - interval '7 days' GROUP BY user_id HAVING COUNT(*) > 10 ORDER BY 2 DESC;\n\`\`\`\nExplain the plan the database likely uses, why it is slow, and design indexes or a rewrite; justify the trade-offs.`],
];

function label(weakRate, strongRate) {
  return { strong_ok: rng() < strongRate, weak_ok: rng() < weakRate };
}

const train = [];
for (let i = 0; i < 12; i++) {
  for (const [family, w, s, make] of [...EASY, ...MEDIUM, ...HARD]) train.push({ prompt: make(), family, ...label(w, s) });
}
const evalSet = [];
for (let i = 0; i < 20; i++) {
  for (const [, family, w, s, make] of HELD_OUT) evalSet.push({ prompt: make(), family, ...label(w, s) });
}
// Calibration and held-back samples: new draws of the training families, never trained on.
// `strong_share` is calibrated on the first (the scores stored in the router file); the second
// checks that the calibrated share holds on prompts the calibration did not see. Drawn after the
// sets above, so adding them changed neither.
const draw = (rounds) => {
  const out = [];
  for (let i = 0; i < rounds; i++) for (const [family, w, s, make] of [...EASY, ...MEDIUM, ...HARD]) out.push({ prompt: make(), family, ...label(w, s) });
  return out;
};
const calibration = draw(8);
const heldBack = draw(8);
mkdirSync(join(root, 'data', 'router'), { recursive: true });
writeFileSync(join(root, 'data', 'router', 'calibration.jsonl'), calibration.map((o) => JSON.stringify(o)).join('\n') + '\n');
writeFileSync(join(root, 'data', 'router', 'heldback.jsonl'), heldBack.map((o) => JSON.stringify(o)).join('\n') + '\n');
writeFileSync(join(root, 'data', 'router', 'train.jsonl'), train.map((o) => JSON.stringify(o)).join('\n') + '\n');
writeFileSync(join(root, 'data', 'router', 'eval.jsonl'), evalSet.map((o) => JSON.stringify(o)).join('\n') + '\n');
console.log(`wrote ${train.length} training, ${evalSet.length} evaluation, ${calibration.length} calibration and ${heldBack.length} held-back examples to data/router/`);

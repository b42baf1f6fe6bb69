import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selfTimeByArea, selfTimes, shortLocation, type CpuProfile } from './cpuprofile.js';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

// root -> handleChat (src) -> JSON.parse-ish native; plus idle and a node_modules function.
const profile: CpuProfile = {
  startTime: 0,
  endTime: 1000,
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 5, 6] },
    { id: 2, callFrame: frame('handleChat', 'file:///repo/dist/src/gateway/chat.js', 9), children: [3] },
    { id: 3, callFrame: frame('', 'node:internal/streams/writable', 99) },
    { id: 4, callFrame: frame('(idle)', '') },
    { id: 5, callFrame: frame('write', 'file:///repo/node_modules/pino/lib/proto.js', 4) },
    // the same function reached by a second path merges with node 2
    { id: 6, callFrame: frame('handleChat', 'file:///repo/dist/src/gateway/chat.js', 9) },
  ],
  // timeDeltas[i] is the gap BEFORE sample i; sample i runs until sample i+1.
  samples: [2, 2, 3, 4, 5, 6, 4],
  timeDeltas: [0, 100, 100, 100, 400, 50, 50],
};

test('self time is attributed per function and merged across call paths', () => {
  const { totalMs, busyMs, rows } = selfTimes(profile);
  assert.equal(totalMs, 0.8); // 800 µs of gaps after the first sample
  assert.equal(busyMs, 0.4); // idle (400 µs; nothing runs after the last sample) left out
  const hc = rows.find((r) => r.functionName === 'handleChat')!;
  assert.equal(hc.location, 'src/gateway/chat.js:10');
  assert.equal(hc.area, 'src');
  assert.ok(Math.abs(hc.selfMs - 0.25) < 1e-12); // 100 + 100 + 50 µs
  assert.ok(Math.abs(hc.pct - (100 * 0.25) / 0.4) < 1e-9);
  assert.equal(rows[0]!.functionName, '(idle)');
  assert.equal(rows.find((r) => r.functionName === '(anonymous)')!.area, 'node');
});

test('areas separate our code, dependencies, Node internals and the VM', () => {
  const by = selfTimeByArea(selfTimes(profile).rows);
  assert.ok(Math.abs(by.src - 0.25) < 1e-12);
  assert.ok(Math.abs(by.node - 0.1) < 1e-12);
  assert.equal(by.node_modules, 0.05);
  assert.equal(by.vm, 0); // idle is not counted as work
  assert.deepEqual(shortLocation('file:///x/node_modules/undici/lib/core/util.js', 0), { location: 'undici/lib/core/util.js:1', area: 'node_modules' });
  assert.equal(shortLocation('file:///x/dist/bench/run.js', -1).area, 'bench');
});

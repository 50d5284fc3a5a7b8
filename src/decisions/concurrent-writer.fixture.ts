/**
 * Child process for the concurrent-writer tests: `node --import tsx concurrent-writer.fixture.ts
 * <sqlite-dir|redis-url> <mac> <first> <step> <count>` records `count` updates at times first, first+step, ...
 */
import { openHistory } from './open-history.js';

const [target, mac, first, step, count] = process.argv.slice(2) as [string, string, string, string, string];
const history = await openHistory(
  target.startsWith('redis://') ? { redis: target } : { dataDir: target, env: {} },
);
for (let i = 0; i < Number(count); i++) {
  const t = Number(first) + i * Number(step);
  await history.record({
    mac,
    representations: [[t % 7, 1]],
    timestamps: [t],
    labels: ['Printer', 'Unknown', 'GPU laptop'],
    confidences: [0.7, 0.2, 0.1],
    otherIps: [],
    modelHash: 'fixture',
    result: { writer: process.pid, i },
  });
}
await history.close();

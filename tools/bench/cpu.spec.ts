import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpuPriority } from './cpu';

describe('cpuPriority', () => {
  it('reads a started process nice value', async () => {
    const child = spawn('nice', ['-n', '7', 'sleep', '5'], { stdio: 'ignore' });
    try {
      // nice execs sleep in the same process, so the pid is that of sleep once nice has run.
      let priority = cpuPriority(child.pid);
      for (let attempt = 0; attempt < 50 && priority?.nice !== 7; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        priority = cpuPriority(child.pid);
      }
      expect(priority?.nice).toBe(7);
    } finally {
      child.kill();
    }
  });

  it('reads the scheduling group nice value', () => {
    const priority = cpuPriority(process.pid);
    if (existsSync('/proc/self/autogroup')) {
      const expected = Number(/nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1]);
      expect(priority?.group_nice).toBe(expected);
    } else {
      expect(priority?.group_nice).toBeNull();
    }
  });

  it('returns null for unknown pids', () => {
    expect(cpuPriority(undefined)).toBeNull();
    expect(cpuPriority(2 ** 22 + 1)).toBeNull();
  });
});

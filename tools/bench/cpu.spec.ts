import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpuPriority } from './cpu';

describe('cpuPriority', () => {
  it('reads the nice value a process was started with', async () => {
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

  it("reports the scheduling group's nice value when the kernel has one", () => {
    const priority = cpuPriority(process.pid);
    if (existsSync('/proc/self/autogroup')) {
      const expected = Number(/nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1]);
      expect(priority?.group_nice).toBe(expected);
    } else {
      expect(priority?.group_nice).toBeNull();
    }
  });

  it('returns null for a pid that is unknown or does not exist', () => {
    expect(cpuPriority(undefined)).toBeNull();
    expect(cpuPriority(2 ** 22 + 1)).toBeNull();
  });
});

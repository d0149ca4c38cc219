import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { autogroupNice, cpuPriority } from './cpu';

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

  it('reads own group nice value', () => {
    const autogroupText = existsSync('/proc/self/autogroup') ? readFileSync('/proc/self/autogroup', 'utf8') : '';
    expect(cpuPriority(process.pid)?.group_nice).toBe(autogroupNice(autogroupText));
  });

  it('parses autogroup text', () => {
    expect(autogroupNice('/autogroup-40 nice 10\n')).toBe(10);
    expect(autogroupNice('/autogroup-7 nice -5\n')).toBe(-5);
    expect(autogroupNice('')).toBeNull();
    expect(autogroupNice('garbage nice 3')).toBeNull();
  });

  it('returns null for unknown pids', () => {
    expect(cpuPriority(undefined)).toBeNull();
    expect(cpuPriority(2 ** 22 + 1)).toBeNull();
  });
});

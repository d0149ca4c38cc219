import { Logger } from '@nestjs/common';
import { LogEntry, logLevel } from 'kafkajs';
import { logToNest } from './kafka-client';

function entry(level: logLevel, namespace: string, message: string): LogEntry {
  return { namespace, level, label: logLevel[level], log: { timestamp: '2026-12-05T03:00:00.000Z', message, logger: 'kafkajs' } };
}

describe('logToNest', () => {
  let spies: Record<'error' | 'warn' | 'debug', jest.SpyInstance>;

  beforeEach(() => {
    spies = {
      error: jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
      warn: jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined),
      debug: jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined),
    };
  });

  afterEach(() => jest.restoreAllMocks());

  it('logs the bounded-retries warning at debug level', () => {
    logToNest(entry(logLevel.WARN, 'Producer', 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    expect(spies.debug).toHaveBeenCalledWith(expect.stringContaining('Producer: Limiting retries'));
    expect(spies.warn).not.toHaveBeenCalled();
  });

  it('keeps other warnings and errors', () => {
    logToNest(entry(logLevel.WARN, 'Producer', 'Failed to send messages'));
    logToNest(entry(logLevel.ERROR, 'Consumer', 'Crash'));
    logToNest(entry(logLevel.ERROR, 'Connection', 'Response Metadata'));
    expect(spies.warn).toHaveBeenCalledTimes(2);
    expect(spies.warn).toHaveBeenNthCalledWith(1, expect.stringContaining('Producer: Failed to send messages'));
    expect(spies.warn).toHaveBeenNthCalledWith(2, expect.stringContaining('Connection: Response Metadata'));
    expect(spies.error).toHaveBeenCalledWith(expect.stringContaining('Consumer: Crash'));
    expect(spies.debug).not.toHaveBeenCalled();
  });
});

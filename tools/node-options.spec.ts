import { appCommand, appNice, appNodeOptions } from './node-options';

const savedConsumerNice = process.env.CONSUMER_NICE;

afterEach(() => {
  if (savedConsumerNice === undefined) delete process.env.CONSUMER_NICE;
  else process.env.CONSUMER_NICE = savedConsumerNice;
});

describe('appNice', () => {
  it('defaults the consumer to 10', () => {
    delete process.env.CONSUMER_NICE;
    expect(appNice('consumer')).toBe(10);
    expect(appNice('ingest')).toBe(0);
    expect(appNice('query')).toBe(0);
  });

  it('takes the value from CONSUMER_NICE', () => {
    process.env.CONSUMER_NICE = '4';
    expect(appNice('consumer')).toBe(4);
  });

  it('rejects an invalid value', () => {
    process.env.CONSUMER_NICE = 'low';
    expect(() => appNice('consumer')).toThrow('CONSUMER_NICE must be a whole number from -20 to 19, got "low"');
    process.env.CONSUMER_NICE = '25';
    expect(() => appNice('consumer')).toThrow('got "25"');
  });

  it('fails for an unknown app', () => {
    expect(() => appNice('nope')).toThrow();
  });
});

describe('appNodeOptions', () => {
  it('splits an override into options', () => {
    expect(appNodeOptions('ingest', ' --a=1   --b ')).toEqual(['--a=1', '--b']);
  });
});

describe('appCommand', () => {
  it('starts the consumer under nice', () => {
    delete process.env.CONSUMER_NICE;
    expect(appCommand('consumer', 'main.js', ['--x'])).toEqual({ file: 'nice', args: ['-n', '10', process.execPath, '--x', 'main.js'] });
  });

  it('starts nice 0 apps directly', () => {
    expect(appCommand('ingest', 'main.js', [])).toEqual({ file: process.execPath, args: ['main.js'] });
  });
});

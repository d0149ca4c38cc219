import { appNice, appNodeOptions } from './node-options';

describe('appNice', () => {
  const saved = process.env.CONSUMER_NICE;

  afterEach(() => {
    if (saved === undefined) delete process.env.CONSUMER_NICE;
    else process.env.CONSUMER_NICE = saved;
  });

  it('runs the consumer below ingest and query by default', () => {
    delete process.env.CONSUMER_NICE;
    expect(appNice('consumer')).toBe(10);
    expect(appNice('ingest')).toBe(0);
    expect(appNice('query')).toBe(0);
  });

  it('takes the value from CONSUMER_NICE', () => {
    process.env.CONSUMER_NICE = '4';
    expect(appNice('consumer')).toBe(4);
  });

  it('rejects a value that is not a nice value', () => {
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

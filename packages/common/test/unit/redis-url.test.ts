import { addressesOf, parseRedisUrl, withoutPassword } from '../../src';

describe('REDIS_URL', () => {
  it('is one server in the redis:// form', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({ kind: 'server', url: 'redis://127.0.0.1:6379' });
    expect(addressesOf('redis://10.0.0.5')).toEqual([{ host: '10.0.0.5', port: 6379 }]);
  });

  it('names Sentinels and the master in the redis+sentinel:// form', () => {
    expect(parseRedisUrl('redis+sentinel://:s3cret@a:26380,b,c:26381/storegraph/2')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'a', port: 26380 },
        { host: 'b', port: 26379 },
        { host: 'c', port: 26381 },
      ],
      masterName: 'storegraph',
      password: 's3cret',
      db: 2,
    });
    expect(addressesOf('redis+sentinel://a:1,b:2/m')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
  });

  it('refuses a Sentinel URL without a master name or with a bad address', () => {
    expect(() => parseRedisUrl('redis+sentinel://a:26379')).toThrow(/master/);
    expect(() => parseRedisUrl('redis+sentinel://a:x/m')).toThrow(/bad Sentinel address/);
  });

  it('lists every node of a NATS cluster, and logs no password', () => {
    expect(addressesOf('nats://a:4222,nats://b:4223')).toEqual([
      { host: 'a', port: 4222 },
      { host: 'b', port: 4223 },
    ]);
    expect(withoutPassword('redis+sentinel://:pw@a:1,b:2/m')).toBe('redis+sentinel://@a:1,b:2/m');
    expect(withoutPassword('postgres://app:pw@db:5432/x')).toBe('postgres://app@db:5432/x');
  });
});

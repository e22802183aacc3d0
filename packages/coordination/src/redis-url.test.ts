import { describe, expect, test } from 'vitest';
import { describeRedisUrl, parseRedisUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  test('redis:// with user, percent-encoded password, port and database', () => {
    expect(parseRedisUrl('redis://app:p%40ss%2Fw@redis.internal:6380/2')).toEqual({
      host: 'redis.internal',
      port: 6380,
      db: 2,
      username: 'app',
      password: 'p@ss/w',
    });
  });

  test('defaults: port 6379, database 0, no credentials; IPv6 brackets removed', () => {
    expect(parseRedisUrl('redis://[::1]')).toEqual({ host: '::1', port: 6379, db: 0 });
  });

  test('rediss:// turns TLS on, sending the host name (not an IP address) for SNI unless told otherwise', () => {
    expect(parseRedisUrl('rediss://:secret@10.0.0.5:6390', { ca: 'PEM' })).toEqual({
      host: '10.0.0.5',
      port: 6390,
      db: 0,
      password: 'secret',
      tls: { ca: 'PEM' },
    });
    expect(parseRedisUrl('rediss://redis.internal').tls).toEqual({ servername: 'redis.internal' });
    expect(parseRedisUrl('rediss://redis.internal', { servername: 'other' }).tls).toEqual({ servername: 'other' });
  });

  test('unix:// socket with password and database in the query', () => {
    expect(parseRedisUrl('unix:///run/redis/redis.sock?db=3&password=a%20b')).toEqual({
      path: '/run/redis/redis.sock',
      db: 3,
      password: 'a b',
    });
  });

  test.each([
    ['http://h:1', /starts with redis/],
    ['not a url', /not a Redis URL/],
    ['redis://h/x', /database number/],
    ['unix://', /socket path/],
  ])('refuses %s', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  test('error messages never carry the password', () => {
    expect(() => parseRedisUrl('redis://:hunter2@h/notadb')).toThrow(/^(?!.*hunter2)/);
  });
});

describe('describeRedisUrl', () => {
  test('replaces the password and keeps the rest', () => {
    expect(describeRedisUrl('rediss://app:hunter2@redis.internal:6380/1')).toBe(
      'rediss://app:[Redacted]@redis.internal:6380/1',
    );
    expect(describeRedisUrl('unix:///tmp/r.sock?password=hunter2&db=1')).toBe(
      'unix:///tmp/r.sock?password=[Redacted]&db=1',
    );
    expect(describeRedisUrl('redis://localhost:6379')).toBe('redis://localhost:6379');
  });

  test('an unparseable URL is not echoed', () => {
    expect(describeRedisUrl('redis://:hunter2@[bad')).not.toContain('hunter2');
  });
});

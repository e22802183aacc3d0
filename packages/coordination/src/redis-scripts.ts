/**
 * The Lua scripts that make each Redis operation atomic (a script runs without any other command in between).
 * Counters are INCRBY with the expiry set only when the key has none, so a window starts at a key's first count
 * and is never pushed back by later ones (the MemoryRateLimitStore and MemoryLoginFailureStore rule). Locks are
 * SET NX PX plus INCR of the fencing counter, released and extended only by the holder (compare, then delete or
 * PEXPIRE), never by a holder whose lease already passed to someone else.
 */

/** KEYS[1] counter; ARGV[1] amount, ARGV[2] window in ms. Returns {count, ms until reset}. */
export const INCREMENT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
`;

/** KEYS[1] counter. Returns {count, ms until reset}, or nil when there is no counter. */
export const READ_COUNTER = `
local count = redis.call('GET', KEYS[1])
if not count then return false end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
`;

/**
 * KEYS[1] lock, KEYS[2] fencing counter; ARGV[1] holder id, ARGV[2] ttl in ms, ARGV[3] the caller's highest token.
 * Returns the new fencing token (above both the counter and ARGV[3]), or nil when the lock is held.
 */
export const ACQUIRE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local token = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if token <= floor then
  token = floor + 1
  redis.call('SET', KEYS[2], token)
end
return token
`;

/** KEYS[1] lock; ARGV[1] holder id. Deletes the lock only when this holder has it. Returns 1 or 0. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * KEYS[1] lock; ARGV[1] holder id, ARGV[2] ttl in ms. Renews this holder's lease, or takes the lock when nobody
 * holds it (a lease this process took during an outage, or one a restarted Redis forgot; the caller has checked
 * that its own lease has not run out). Returns 1, or 0 when another holder has it.
 */
export const HOLD = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

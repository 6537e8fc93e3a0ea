// A deterministic generator (xorshift), so that a failure of a random test can be reproduced from its seed.

/** Integers in [0, n), from `seed`. */
export function random(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return Math.floor(((state >>> 0) / 0x100000000) * n);
  };
}

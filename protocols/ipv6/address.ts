// IPv6 addresses: bytes <-> text, written per RFC 5952 and read in every RFC 4291 §2.2 form.
import { ipv4FormatAddress, ipv4ParseAddress } from '../ipv4/address.ts';
import { WireError } from '../wire.ts';

export const IPV6_ADDR_LEN = 16;

/**
 * RFC 5952 §4: lowercase, no leading zeros, the longest run of two or more zero groups (the first
 * on a tie) as "::"; §5: IPv4-mapped addresses end in dotted-quad. Reads the first 16 bytes.
 */
export function ipv6FormatAddress(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4FormatAddress(b.subarray(12, 16))}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(0, 8) : `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}

const GROUP_RE = /^[0-9a-f]{1,4}$/i;

/** Accepts full, "::"-compressed and dotted-quad-suffixed forms; no zone ids. */
export function ipv6ParseAddress(text: string, field = 'address'): Uint8Array {
  const bad = () => new WireError('malformed', 'ipv6', field, `not an IPv6 address: ${JSON.stringify(text)}`);
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const groups = (s: string, last: boolean): number[] => {
    if (s === '') return [];
    const parts = s.split(':');
    const out: number[] = [];
    parts.forEach((p, i) => {
      if (last && i === parts.length - 1 && p.includes('.')) {
        let v4: Uint8Array;
        try {
          v4 = ipv4ParseAddress(p);
        } catch {
          throw bad();
        }
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (GROUP_RE.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        throw bad();
      }
    });
    return out;
  };
  let words: number[];
  if (halves.length === 2) {
    const head = groups(halves[0], false);
    const tail = groups(halves[1], true);
    if (head.length + tail.length > 7) throw bad();
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    words = groups(text, true);
    if (words.length !== 8) throw bad();
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

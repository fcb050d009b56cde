// Shared by the RoCE codecs: the protocol name in WireErrors and the range check of n-bit fields.
import { checkUint } from '../wire.ts';

export const ROCE = 'roce';

export function checkRoce(field: string, value: number, bits: number): void {
  checkUint(ROCE, field, value, 2 ** bits - 1);
}

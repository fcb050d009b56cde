// Test helper: a describe block that needs a real peer: skipped without it, failed without it on CI.
import { describe, it } from 'vitest';

export function describeWithPeer(title: string, missing: string | null, body: () => void): void {
  if (missing !== null && process.env.CI === 'true') {
    describe(title, () => {
      it('has its peer installed', () => {
        throw new Error(`peer missing on CI: ${missing}`);
      });
    });
    return;
  }
  describe.skipIf(missing !== null)(missing === null ? title : `${title} (skipped: ${missing})`, body);
}

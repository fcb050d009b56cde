// What `lab up` hands the lab-in-a-box process (serve.ts) and what the process answers: the spec file, the secrets' variables, the ready file.
import type { LabEndpoints, LabServeSpec } from './lab-server.ts';

/** The spec file: the twin to build and serve (no secrets: those come in LAB_ENV variables). */
export interface LabServeFile extends LabServeSpec {
  username: string;
  /** Where to write the LabReady JSON. */
  readyFile: string;
}

/** The ready file, written once (atomically) when the servers listen or start-up failed. */
export type LabReady = { ok: true; pid: number; endpoints: LabEndpoints } | { ok: false; pid: number; error: string };

/** Environment variables carrying the credentials to the process (and named by the binding). */
export const LAB_ENV = { PASSWORD: 'FABRIC_HIL_LAB_PASSWORD', COMMUNITY: 'FABRIC_HIL_LAB_COMMUNITY' } as const;

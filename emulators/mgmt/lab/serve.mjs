#!/usr/bin/env node
// Launcher of the lab-in-a-box process: registers tsx's loader (as bin/fabric-hil.mjs does), then runs serve.ts.
import { register } from 'tsx/esm/api';

register();
await import('./serve.ts');

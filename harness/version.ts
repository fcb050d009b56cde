// The tool's version, read from package.json once.
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './context.ts';

export const TOOL_VERSION: string = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

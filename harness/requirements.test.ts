// The requirement registry lists exactly the seed facts of shared/spec/seed-facts.md, plus spec clauses.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS, isRequirement } from '../suites/requirements.ts';
import { PROJECT_ROOT } from './context.ts';

const SEED_FACTS = path.join(PROJECT_ROOT, '..', 'shared', 'spec', 'seed-facts.md');

describe('requirement registry', () => {
  it('holds every seed-fact ID and no seed-fact ID that the source lacks', () => {
    expect(fs.existsSync(SEED_FACTS), `${SEED_FACTS} must exist beside the project`).toBe(true);
    const text = fs.readFileSync(SEED_FACTS, 'utf8');
    const ids = [...text.matchAll(/^- ([A-Z]+(?:-[A-Z]+)?-\d+)\b/gm)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(80);
    const seedIds = Object.entries(REQUIREMENTS).filter(([, r]) => r.source === 'seed-facts').map(([id]) => id);
    expect(new Set(seedIds)).toEqual(new Set(ids));
  });

  it('gives every requirement a title and a source', () => {
    for (const [id, r] of Object.entries(REQUIREMENTS)) {
      expect(r.title.length, id).toBeGreaterThan(3);
      expect(r.source.length, id).toBeGreaterThan(0);
    }
  });

  it('knows registered IDs only', () => {
    expect(isRequirement('GSE-FWD-2')).toBe(true);
    expect(isRequirement('GSE-FWD-99')).toBe(false);
    expect(isRequirement('toString')).toBe(false);
  });
});

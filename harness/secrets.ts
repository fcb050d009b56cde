// Secret references: resolves `${env:NAME}` in binding settings and hides resolved secrets in text.
//
// Guarantees: no message from this module contains a value read from the environment or written
// in a testbed (only variable names, device ids and field paths). `resolveSettings` returns every
// resolved value of a secret field in `secrets`, so a Redactor built from it hides them in logs,
// results and reports. The testbed loader has already checked that secret fields hold exactly one
// reference; this module still resolves whatever it is given.
import type { LabDriverName } from './kinds.ts';
import type { Testbed } from './testbed.ts';

const ENV_NAME = '[A-Za-z_][A-Za-z0-9_]*';
const ENV_REF_GLOBAL = new RegExp(`\\$\\{env:(${ENV_NAME})\\}`, 'g');
const ENV_REF_EXACT = new RegExp(`^\\$\\{env:${ENV_NAME}\\}$`);

/** Fields that must hold a `${env:NAME}` reference, never a literal value. */
export function isSecretField(name: string): boolean {
  return /^(password|passphrase|community|token|secret|key)$/i.test(name) || /(Key|Password|Secret|Token)$/.test(name);
}

/** True when `value` is exactly one `${env:NAME}` reference. */
export function isEnvRef(value: unknown): boolean {
  return typeof value === 'string' && ENV_REF_EXACT.test(value);
}

/** True when `text` has a `${` that does not start a well-formed `${env:NAME}` reference. */
export function hasMalformedRef(text: string): boolean {
  return text.replace(ENV_REF_GLOBAL, '').includes('${');
}

/** Settings of one device by lab driver, with every reference replaced by its value. */
export type ResolvedSettings = Partial<Record<LabDriverName, Record<string, unknown>>>;

export interface MissingVariable {
  variable: string;
  device: string;
  /** Field path inside the device's binding, e.g. `netconf.password`. */
  field: string;
}

/** One error for all the variables a testbed needs and the environment lacks. */
export class SecretError extends Error {
  constructor(
    readonly file: string,
    readonly missing: MissingVariable[],
  ) {
    const lines = missing.map((m) => `  ${m.variable}: needed by device ${m.device}, field binding.devices.${m.device}.${m.field}`);
    const n = new Set(missing.map((m) => m.variable)).size;
    super(`${file}: ${n} environment variable${n === 1 ? ' is' : 's are'} not set (or empty):\n${lines.join('\n')}`);
    this.name = 'SecretError';
  }
}

/**
 * Replaces every `${env:NAME}` in each device's settings. Throws one SecretError naming every
 * missing (unset or empty) variable. Emulated devices get empty settings.
 */
export function resolveSettings(
  tb: Testbed,
  env: Record<string, string | undefined> = process.env,
): { devices: Map<string, ResolvedSettings>; secrets: string[] } {
  const devices = new Map<string, ResolvedSettings>();
  const secrets = new Set<string>();
  const missing: MissingVariable[] = [];

  const resolve = (value: unknown, device: string, field: string, secret: boolean): unknown => {
    if (typeof value === 'string') {
      const out = value.replace(ENV_REF_GLOBAL, (ref, name: string) => {
        const v = env[name];
        if (v === undefined || v === '') {
          missing.push({ variable: name, device, field });
          return ref;
        }
        return v;
      });
      if (secret && out !== value && out.length > 0) secrets.add(out);
      return out;
    }
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, device, `${field}[${i}]`, secret));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, resolve(v, device, `${field}.${k}`, secret || isSecretField(k))]),
      );
    }
    return value;
  };

  for (const d of tb.devices) {
    const resolved: ResolvedSettings = {};
    for (const [driver, section] of Object.entries(d.settings) as [LabDriverName, Record<string, unknown>][]) {
      resolved[driver] = resolve(section, d.id, driver, false) as Record<string, unknown>;
    }
    devices.set(d.id, resolved);
  }
  if (missing.length > 0) throw new SecretError(tb.file, missing);
  return { devices, secrets: [...secrets] };
}

/** Hides secrets in text: each occurrence (and its JSON- or XML-escaped form) becomes `***`. */
export class Redactor {
  private readonly forms = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string): void {
    if (secret.length === 0) return;
    this.forms.add(secret);
    // A secret may reach a log inside JSON (results, traces) or XML (NETCONF RPCs).
    this.forms.add(JSON.stringify(secret).slice(1, -1));
    this.forms.add(secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  }

  redact(text: string): string {
    // Longest first, so a secret that contains another is hidden whole.
    const forms = [...this.forms].sort((a, b) => b.length - a.length);
    let out = text;
    for (const f of forms) out = out.split(f).join('***');
    return out;
  }
}

export function redact(text: string, secrets: readonly string[]): string {
  return new Redactor(secrets).redact(text);
}

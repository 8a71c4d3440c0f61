// Validates JSON files against a JSON Schema with ajv and its format checks,
// as the schema's own "$schema" asks (draft-07 or 2020-12).
//   node validate-json.js SCHEMA FILE...          each file is one instance
//   node validate-json.js --each SCHEMA FILE...   each file is an array; every item is one
// Exit 1 when any instance is invalid.
'use strict';
const path = require('path');
const fs = require('fs');
const tools = process.env.OUTPUT_TOOLS;
const mod = (m) => require(path.join(tools, 'node_modules', m));

let args = process.argv.slice(2);
const each = args[0] === '--each';
if (each) args = args.slice(1);
const [schemaPath, ...files] = args;
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const Ajv = /2020-12/.test(schema.$schema || '') ? mod('ajv/dist/2020').default : mod('ajv').default;
const ajv = new Ajv({ allErrors: true, strict: false });
mod('ajv-formats').default(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const f of files) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (each && !Array.isArray(doc)) {
    bad++;
    console.log(`${f}: not an array`);
    continue;
  }
  const items = each ? doc : [doc];
  let fileBad = 0;
  items.forEach((item, i) => {
    if (validate(item)) return;
    fileBad++;
    console.log(`${f}${each ? ` item ${i}` : ''}: INVALID`);
    for (const e of validate.errors) console.log(`  ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  });
  bad += fileBad;
  if (!fileBad) console.log(`${f}: valid against ${path.basename(schemaPath)}${each ? ` (${items.length} items)` : ''}`);
}
process.exit(bad ? 1 : 0);

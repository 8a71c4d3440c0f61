// Validates SARIF files against the official sarif-2.1.0 JSON schema that
// @microsoft/sarif-multitool ships, with ajv (JSON Schema 2020-12) and its
// format checks (uri, uri-reference, date-time). Exit 1 on the first invalid file.
//   node sarif-schema.js SCHEMA FILE...
'use strict';
const path = require('path');
const fs = require('fs');
const tools = process.env.OUTPUT_TOOLS;
const Ajv2020 = require(path.join(tools, 'node_modules/ajv/dist/2020')).default;
const addFormats = require(path.join(tools, 'node_modules/ajv-formats')).default;

const [schemaPath, ...files] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const f of files) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (validate(doc)) {
    console.log(`${f}: valid against ${path.basename(schemaPath)}`);
  } else {
    bad++;
    console.log(`${f}: INVALID`);
    for (const e of validate.errors) console.log(`  ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
process.exit(bad ? 1 : 0);

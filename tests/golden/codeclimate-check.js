// What GitLab's documentation asks of a code quality report beyond the schema it
// checks each issue with (tests/output/schema/codeclimate.json): a JSON array;
// check_name and a description on every issue; a severity GitLab knows; a
// fingerprint unique in the report (GitLab keeps one issue per fingerprint); a
// location path relative to the repository; a 1-based line.
//   node codeclimate-check.js REPORT...
'use strict';
const fs = require('fs');
const severities = ['info', 'minor', 'major', 'critical', 'blocker'];
let bad = 0;
for (const f of process.argv.slice(2)) {
  const fail = (i, what) => { bad++; console.log(`${f} issue ${i}: ${what}`); };
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (!Array.isArray(doc)) { bad++; console.log(`${f}: not an array`); continue; }
  const seen = new Map();
  doc.forEach((it, i) => {
    if (it.type !== 'issue') fail(i, `type ${it.type}`);
    if (typeof it.check_name !== 'string' || !/^NR[0-9]{3}$/.test(it.check_name)) fail(i, `check_name ${it.check_name}`);
    if (typeof it.description !== 'string' || !it.description) fail(i, 'no description');
    if (!severities.includes(it.severity)) fail(i, `severity ${it.severity}`);
    if (!/^[0-9a-f]{32}$/.test(it.fingerprint || '')) fail(i, `fingerprint ${it.fingerprint}`);
    else if (seen.has(it.fingerprint)) fail(i, `fingerprint of issue ${seen.get(it.fingerprint)} again`);
    else seen.set(it.fingerprint, i);
    const p = it.location && it.location.path;
    if (typeof p !== 'string' || !p) fail(i, 'no location.path');
    else if (p !== '-' && (p.startsWith('./') || p.split('/').includes('..') || p.includes('//'))) fail(i, `path ${p} is not normalised`);
    const lines = it.location && it.location.lines;
    if (!lines || !Number.isInteger(lines.begin) || lines.begin < 1) fail(i, 'no 1-based location.lines.begin');
    else if (!Number.isInteger(lines.end) || lines.end < lines.begin) fail(i, `lines.end ${lines.end} before begin`);
  });
  console.log(`${f}: ${doc.length} issues checked`);
}
process.exit(bad ? 1 : 0);

// Reads the SARIF log that `sarif-multitool validate` writes and fails on any
// error or warning it reports, except the ones justified below. Notes are printed.
//   node multitool-verdict.js VALIDATION.sarif
'use strict';
const fs = require('fs');
// ruleId -> why unroot's output is right as it is. Empty: every error and warning counts.
const justified = {};
const log = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let bad = 0, notes = 0;
for (const run of log.runs || []) {
  for (const r of run.results || []) {
    const level = r.level || 'warning';
    const text = (r.message && (r.message.text || (r.message.arguments || []).join(' '))) || '';
    const where = ((r.locations || [])[0] || {}).physicalLocation;
    const file = where && where.artifactLocation ? where.artifactLocation.uri : '';
    if (level === 'note' || level === 'none') { notes++; continue; }
    if (justified[r.ruleId]) {
      console.log(`justified ${level} ${r.ruleId} in ${file}: ${justified[r.ruleId]}`);
      continue;
    }
    bad++;
    console.log(`${level} ${r.ruleId} in ${file}: ${text}`);
  }
  for (const inv of run.invocations || []) {
    for (const n of inv.toolExecutionNotifications || []) {
      if (n.level === 'error') { bad++; console.log(`tool error: ${JSON.stringify(n.message)}`); }
    }
  }
}
console.log(`sarif-multitool: ${bad} errors or warnings, ${notes} notes`);
process.exit(bad ? 1 : 0);

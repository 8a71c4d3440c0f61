// Checks that the line formats, SARIF and GitLab's code quality report say the
// same as json about every finding: same order, path, position, severity, rule
// and message; and that fingerprints are the same in SARIF and codeclimate.
//   node crosscheck.js JSON_REPORT DIR CWD
// DIR holds FORMAT.out for github, gnu, sarif and codeclimate; CWD is the folder
// relative paths were written against (--base-dir).
'use strict';
const fs = require('fs');
const path = require('path');
const [jsonFile, dir, cwd] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
const diags = report.diagnostics;
let bad = 0;
const fail = (fmt, i, what) => { bad++; console.log(`${fmt} finding ${i}: ${what}`); };

function rel(p) {
  if (p === '-') return p;
  const abs = path.resolve(cwd, p);
  const r = path.relative(cwd, abs);
  return r.startsWith('..') ? abs : (r || '.');
}
const prefix = (d) => d.object ? `${d.object}${d.container ? ` container ${d.container}` : ''}: ` : '';
const lines = (f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l);

// github: ::SEV file=..,line=..,col=..,endLine=..,endColumn=..,title=..::MESSAGE
const gh = lines('github.out');
if (gh.length !== diags.length) fail('github', '-', `${gh.length} lines for ${diags.length} findings`);
const unprop = (s) => s.replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const undata = (s) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
diags.forEach((d, i) => {
  const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(gh[i] || '');
  if (!m) return fail('github', i, `not a workflow command: ${gh[i]}`);
  const sev = { error: 'error', warning: 'warning', info: 'notice' }[d.severity];
  if (m[1] !== sev) fail('github', i, `command ${m[1]}, severity ${d.severity}`);
  const props = {};
  for (const kv of m[2].split(',')) {
    const eq = kv.indexOf('=');
    props[kv.slice(0, eq)] = unprop(kv.slice(eq + 1));
  }
  if (props.file !== rel(d.path)) fail('github', i, `file ${props.file}, want ${rel(d.path)}`);
  if (props.line !== undefined && (+props.line !== d.line || +props.col !== d.column))
    fail('github', i, `at ${props.line}:${props.col}, json says ${d.line}:${d.column}`);
  if (props.title !== `${d.rule} ${d.name}`) fail('github', i, `title ${props.title}`);
  const want = prefix(d) + d.message + (d.fix ? `\nfix: ${d.fix}` : '');
  if (undata(m[3]) !== want) fail('github', i, `message ${JSON.stringify(undata(m[3]))}, want ${JSON.stringify(want)}`);
});

// gnu: FILE[:LINE:COL]: SEV: MESSAGE [CODE name]
const gnu = lines('gnu.out');
if (gnu.length !== diags.length) fail('gnu', '-', `${gnu.length} lines for ${diags.length} findings`);
diags.forEach((d, i) => {
  const l = gnu[i] || '';
  const sev = { error: 'error', warning: 'warning', info: 'note' }[d.severity];
  const flat = (s) => s.replace(/[\r\n]/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
  const tail = `: ${sev}: ${flat(prefix(d) + d.message)} [${d.rule} ${d.name}]`;
  if (!l.startsWith(flat(d.path))) return fail('gnu', i, `does not start with the path: ${l}`);
  if (!l.endsWith(tail)) return fail('gnu', i, `does not end with ${JSON.stringify(tail)}: ${l}`);
  const pos = l.slice(flat(d.path).length, l.length - tail.length);
  if (pos !== '' && !new RegExp(`^:${d.line}:[0-9]+$`).test(pos)) fail('gnu', i, `position ${pos}, json line ${d.line}`);
});

// sarif: results in the same order, with ruleIndex pointing at the rule.
const sarif = JSON.parse(fs.readFileSync(path.join(dir, 'sarif.out'), 'utf8'));
const run = sarif.runs[0];
if (run.results.length !== diags.length) fail('sarif', '-', `${run.results.length} results for ${diags.length} findings`);
diags.forEach((d, i) => {
  const r = run.results[i];
  if (!r) return;
  if (r.ruleId !== d.rule) fail('sarif', i, `ruleId ${r.ruleId}`);
  if (run.tool.driver.rules[r.ruleIndex].id !== d.rule) fail('sarif', i, `ruleIndex ${r.ruleIndex} is not ${d.rule}`);
  const level = { error: 'error', warning: 'warning', info: 'note' }[d.severity];
  if (r.level !== level) fail('sarif', i, `level ${r.level}`);
  if (!r.message.text.startsWith(prefix(d) + d.message)) fail('sarif', i, `message ${r.message.text}`);
  const loc = r.locations[0].physicalLocation;
  const uri = loc.artifactLocation.uri;
  const p = uri.startsWith('file://') ? decodeURIComponent(uri.slice(7)) : decodeURIComponent(uri);
  if (p !== rel(d.path)) fail('sarif', i, `uri ${uri}, want ${rel(d.path)}`);
  if (!uri.startsWith('file://') && d.path !== '-' && loc.artifactLocation.uriBaseId !== '%SRCROOT%') fail('sarif', i, 'no uriBaseId');
  if (loc.region.startLine !== d.line) fail('sarif', i, `startLine ${loc.region.startLine}, json ${d.line}`);
});
// sarif: a fingerprint on every result, all of them different.
const fps = run.results.map((r) => r.partialFingerprints && r.partialFingerprints['unroot/v1']);
fps.forEach((fp, i) => {
  if (!/^[0-9a-f]{32}$/.test(fp || '')) fail('sarif', i, `partialFingerprints ${fp}`);
  if (fps.indexOf(fp) !== i) fail('sarif', i, `fingerprint of result ${fps.indexOf(fp)} again`);
});

// codeclimate: the same findings in the same order, the same fingerprints.
const cc = JSON.parse(fs.readFileSync(path.join(dir, 'codeclimate.out'), 'utf8'));
if (cc.length !== diags.length) fail('codeclimate', '-', `${cc.length} issues for ${diags.length} findings`);
diags.forEach((d, i) => {
  const it = cc[i];
  if (!it) return;
  if (it.check_name !== d.rule) fail('codeclimate', i, `check_name ${it.check_name}`);
  const sev = { error: 'critical', warning: 'major', info: 'info' }[d.severity];
  if (it.severity !== sev) fail('codeclimate', i, `severity ${it.severity}, json ${d.severity}`);
  if (it.location.path !== rel(d.path)) fail('codeclimate', i, `path ${it.location.path}, want ${rel(d.path)}`);
  if (it.location.lines.begin !== d.line) fail('codeclimate', i, `line ${it.location.lines.begin}, json ${d.line}`);
  if (!it.description.startsWith(prefix(d) + d.message)) fail('codeclimate', i, `description ${it.description}`);
  if (it.fingerprint !== fps[i]) fail('codeclimate', i, `fingerprint ${it.fingerprint}, sarif ${fps[i]}`);
});
console.log(`${jsonFile}: ${diags.length} findings, ${bad} disagreements`);
process.exit(bad ? 1 : 0);

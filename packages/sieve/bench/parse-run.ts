// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve scripts write variables as ${name}
// Sieve engine speed: compile (parse + validate) and run a 50-rule script against a 4 KB message.
//   cd packages/sieve && npx -y pnpm@10.34.8 run bench      (or: node --conditions=source --import tsx bench/parse-run.ts [rounds])
// Prints µs per compile, per run (message adapter included) and per compile + run, as wall and CPU time.

import { compileScript, RawMessage, runScript } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 2000);

function fiftyRules(): string {
  const rules: string[] = [
    'require ["fileinto", "imap4flags", "variables", "relational", "comparator-i;ascii-numeric", "body", "regex", "subaddress", "envelope", "date", "vacation"];',
  ];
  for (let i = 0; i < 10; i++)
    rules.push(`if header :contains "subject" "project-${i}" { fileinto "Projects/${i}"; stop; }`);
  for (let i = 0; i < 10; i++)
    rules.push(`if address :domain :is "from" "partner${i}.example" { addflag "partner"; fileinto "Partners"; }`);
  for (let i = 0; i < 10; i++)
    rules.push(`if header :matches "list-id" "*<list${i}.*>*" { fileinto "Lists/\${1}"; stop; }`);
  for (let i = 0; i < 5; i++)
    rules.push(`if header :regex "subject" "^\\\\[ticket-${i}[0-9]+\\\\]" { fileinto "Tickets"; }`);
  for (let i = 0; i < 5; i++) rules.push(`if envelope :detail "to" "tag${i}" { fileinto "Tagged/${i}"; }`);
  for (let i = 0; i < 5; i++) rules.push(`if body :text :contains "unsubscribe-${i}" { addflag "bulk"; }`);
  rules.push('if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "8" { fileinto "Junk"; stop; }');
  rules.push('if date :value "lt" "date" "year" "2000" { addflag "old"; }');
  rules.push('if anyof (header :contains "x-mailer" "bulk", exists "list-unsubscribe") { addflag "newsletter"; }');
  rules.push('if allof (address :is "to" "bob@example.com", not exists "in-reply-to") { set "first" "yes"; }');
  rules.push('if string :is "${first}" "yes" { vacation :days 7 :subject "Away" "I am away this week."; }');
  return rules.join('\n');
}

function fourKbMessage(): Buffer {
  const head = [
    'Received: from mx.example.org by mail.example.com; Fri, 4 Dec 2026 10:00:00 +0100',
    'Date: Fri, 4 Dec 2026 09:30:15 +0100',
    'From: Alice <alice@example.org>',
    'To: Bob <bob@example.com>',
    'Subject: Quarterly report and next steps',
    'Message-ID: <bench@example.org>',
    'X-Spam-Score: 2',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ].join('\r\n');
  const line = 'The quarterly figures are attached below; please read them before Monday.\r\n';
  let body = '';
  while (head.length + body.length < 4096) body += line;
  return Buffer.from(`${head}\r\n\r\n${body}`);
}

const script = fiftyRules();
const raw = fourKbMessage();
const context = { envelope: { from: 'alice@example.org', to: 'bob@example.com' }, now: new Date() };

/** Wall time and CPU time per run: on a shared, loaded machine the CPU figure is the one to compare. */
function time(label: string, fn: () => void): void {
  for (let i = 0; i < Math.min(200, rounds); i++) fn();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  const wall = Number(process.hrtime.bigint() - start) / 1000 / rounds;
  const used = process.cpuUsage(cpu);
  const cpuMicros = (used.user + used.system) / rounds;
  console.log(`${label}: ${wall.toFixed(1)} µs/run wall, ${cpuMicros.toFixed(1)} µs/run CPU (${rounds} runs)`);
}

/** A machine-speed reference printed beside the figures: on a quiet modern core this loop takes about 100 ms. */
function calibrate(): void {
  const cpu = process.cpuUsage();
  let sum = 0;
  for (let i = 0; i < 1e8; i++) sum += i;
  const used = process.cpuUsage(cpu);
  console.log(
    `reference: 1e8 integer additions took ${((used.user + used.system) / 1000).toFixed(0)} ms CPU (sum ${sum > 0})`,
  );
}

calibrate();
const compiled = compileScript(script);
const check = runScript(compiled, new RawMessage(raw), context);
if (check.error) throw check.error;
console.log(
  `script: ${script.split('\n').length - 1} rules, ${Buffer.byteLength(script)} bytes; message: ${raw.length} bytes`,
);
console.log(`outcome: ${check.actions.map((a) => a.type).join(', ')}; ${check.steps} steps`);
time('compile (parse + validate)', () => compileScript(script));
time('run (message adapter + interpreter)', () => runScript(compiled, new RawMessage(raw), context));
time('compile + run', () => runScript(compileScript(script), new RawMessage(raw), context));

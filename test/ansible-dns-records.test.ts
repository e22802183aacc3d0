/**
 * The Ansible dns role prints, per hosted domain, the records to create, including the RFC 6186 SRV records that
 * let mail clients find the server (implicit TLS preferred, RFC 8314 §5.1; plain IMAP and POP3 marked absent with
 * the "." target, RFC 6186 §3.4). Runs the role with ansible-playbook against localhost (it only prints).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, requireTool, tempDir } from '@mailyard/testkit';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const hasAnsible = requireTool('ansible-playbook');

const PLAYBOOK = `- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    mailyard_domains: [example.org]
    mailyard_hostname: mail.example.org
  roles: [dns]
`;

test.skipIf(!hasAnsible)('the dns role prints the RFC 6186 SRV records for each domain', async () => {
  await using dir = await tempDir('mailyard-dns-role-');
  const playbook = join(dir.path, 'dns.yml');
  await writeFile(playbook, PLAYBOOK);
  const { stdout } = await run('ansible-playbook', ['-i', 'localhost,', playbook], {
    env: { ...process.env, ANSIBLE_ROLES_PATH: join(repoRoot(), 'ansible', 'roles'), ANSIBLE_NOCOLOR: '1' },
    timeout: 120_000,
  });
  for (const record of [
    '_submissions._tcp.example.org.  SRV  0 1 465 mail.example.org.',
    '_imaps._tcp.example.org.  SRV  0 1 993 mail.example.org.',
    '_pop3s._tcp.example.org.  SRV  10 1 995 mail.example.org.',
    '_submission._tcp.example.org.  SRV  10 1 587 mail.example.org.',
    '_imap._tcp.example.org.  SRV  0 0 0 .',
    '_pop3._tcp.example.org.  SRV  0 0 0 .',
  ]) {
    expect(stdout).toContain(record);
  }
});

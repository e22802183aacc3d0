/**
 * The Ansible playbook (ansible/site.yml) proven against a real Debian 12 root file system.
 *
 * 1. ansible-lint and `ansible-playbook --syntax-check` are clean.
 * 2. debootstrap builds a bookworm minbase root (cached locally under os.tmpdir(), keyed by a hash of the
 *    debootstrap arguments; CI always builds afresh). The playbook runs against it through Ansible's
 *    community.general.chroot connection with mailyard_chroot_test=true (no systemd, kernel or outside
 *    network steps) and mailyard_build=false (no pnpm install/build), deploying this work tree's HEAD.
 * 3. The first run succeeds; the second run reports changed=0 (idempotence).
 * 4. What it left behind is checked: the config is accepted by @mailyard/config, the master key and data
 *    directory are private to the mailyard user, the fail2ban filter bans the right addresses, the port
 *    redirects and hardening files are in place, and the deployed commit is HEAD.
 *
 * Needs root (debootstrap, chroot) and the Debian packages ansible, ansible-lint and debootstrap: skipped with
 * a printed reason when missing locally, failing when CI=true.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '@mailyard/config';
import { isCI, repoRoot, requireTool, unavailable } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = repoRoot();
const ansibleDir = join(root, 'ansible');
const MINUTE = 60_000;

const DEBOOTSTRAP = {
  suite: 'bookworm',
  variant: 'minbase',
  // python3 runs Ansible's modules; python3-apt is what the apt module needs.
  include: ['python3', 'python3-apt'],
  mirror: process.env.MAILYARD_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian',
};

const TEST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMailyardAnsibleTestKeyNotARealKeyAtAll0000 ansible-test';

function prerequisitesMet(): boolean {
  const tools = ['ansible-playbook', 'ansible-lint', 'debootstrap', 'git'].map((name) => requireTool(name));
  if (!tools.every(Boolean)) return false;
  if (process.getuid?.() !== 0) return unavailable('the Ansible chroot test needs root (debootstrap, chroot)');
  return true;
}

const ready = prerequisitesMet();

interface Run {
  code: number | null;
  output: string;
  seconds: number;
}

/** Runs a command to completion, collecting stdout and stderr together. */
function run(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, seconds: (performance.now() - started) / 1000 }));
  });
}

const ANSIBLE_ENV = {
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_FORCE_COLOR: '0',
  PY_COLORS: '0',
  ANSIBLE_CONFIG: join(ansibleDir, 'ansible.cfg'),
};

function tail(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo, octal escapes decoded). */
function mountsUnder(dir: string): string[] {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((path) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))))
    .filter((path) => path === dir || path.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Removes a chroot directory, refusing while anything is still mounted inside it. */
function removeChroot(dir: string): void {
  for (const mount of mountsUnder(dir)) spawnSync('umount', ['--lazy', mount]);
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`not removing ${dir}: still mounted ${left.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}

function cacheDir(): string {
  const key = createHash('sha256').update(JSON.stringify(DEBOOTSTRAP)).digest('hex').slice(0, 16);
  return join(tmpdir(), `mailyard-ansible-test-${key}`);
}

/** A fresh bookworm root in `target`: from the local cache tarball when present (never in CI), else debootstrap. */
async function buildRoot(target: string): Promise<{ seconds: number; cached: boolean }> {
  const cache = join(cacheDir(), 'rootfs.tar');
  if (!isCI() && existsSync(cache)) {
    const extracted = await run('tar', ['--numeric-owner', '-xpf', cache, '-C', target]);
    if (extracted.code !== 0) throw new Error(`tar -x of ${cache} failed:\n${tail(extracted.output)}`);
    return { seconds: extracted.seconds, cached: true };
  }
  const { suite, variant, include, mirror } = DEBOOTSTRAP;
  const built = await run('debootstrap', [
    `--variant=${variant}`,
    `--include=${include.join(',')}`,
    suite,
    target,
    mirror,
  ]);
  if (built.code !== 0) throw new Error(`debootstrap failed:\n${tail(built.output)}`);
  if (!isCI()) await saveCache(target, cache);
  return { seconds: built.seconds, cached: false };
}

async function saveCache(target: string, cache: string): Promise<void> {
  mkdirSync(dirname(cache), { recursive: true });
  const partial = `${cache}.partial`;
  const packed = await run('tar', ['--numeric-owner', '-cpf', partial, '-C', target, '.']);
  if (packed.code === 0) renameSync(partial, cache);
  else rmSync(partial, { force: true });
}

/**
 * The controller's Node as a tree for mailyard_node_source=local: bin/node, lib/node_modules/npm and the
 * npm/npx links, the layout of nodejs.org's tarballs.
 */
async function nodeArchive(workDir: string): Promise<string> {
  const tree = join(workDir, 'node-tree');
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  mkdirSync(join(tree, 'bin'), { recursive: true });
  copyFileSync(process.execPath, join(tree, 'bin', 'node'));
  chmodSync(join(tree, 'bin', 'node'), 0o755);
  if (!existsSync(npmDir)) throw new Error(`npm not found beside ${process.execPath} (expected ${npmDir})`);
  cpSync(npmDir, join(tree, 'lib', 'node_modules', 'npm'), { recursive: true, verbatimSymlinks: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(tree, 'bin', 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(tree, 'bin', 'npx'));
  const archive = join(workDir, 'node.tar');
  const packed = await run('tar', ['-cf', archive, '-C', tree, '.']);
  if (packed.code !== 0) throw new Error(`packing the Node tree failed:\n${tail(packed.output)}`);
  rmSync(tree, { recursive: true, force: true });
  return archive;
}

interface Recap {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
}

function recapOf(output: string): Recap | undefined {
  const match = /ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(
    output.slice(output.lastIndexOf('PLAY RECAP')),
  );
  if (!match) return undefined;
  const [ok, changed, unreachable, failed] = match.slice(1).map(Number) as [number, number, number, number];
  return { ok, changed, unreachable, failed };
}

/** Names of the tasks that reported "changed", to make an idempotence failure readable. */
function changedTasks(output: string): string[] {
  const names: string[] = [];
  let task = '';
  for (const line of output.split('\n')) {
    const header = /^(?:TASK|RUNNING HANDLER) \[(.+?)\]/.exec(line);
    if (header?.[1]) task = header[1];
    if (line.startsWith('changed:')) names.push(task);
  }
  return [...new Set(names)];
}

function inChroot(chroot: string, args: string[], input?: string): { code: number | null; stdout: string } {
  const result = spawnSync('chroot', [chroot, ...args], { input, encoding: 'utf8' });
  return { code: result.status, stdout: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!ready)('ansible playbook', () => {
  test('ansible-lint passes with the production profile', async () => {
    const lint = await run('ansible-lint', ['--nocolor'], { cwd: ansibleDir, env: ANSIBLE_ENV });
    expect(lint.code, tail(lint.output)).toBe(0);
  });

  test('site.yml passes the syntax check', async () => {
    const check = await run('ansible-playbook', ['-i', 'inventory.example.ini', '--syntax-check', 'site.yml'], {
      cwd: ansibleDir,
      env: ANSIBLE_ENV,
    });
    expect(check.code, tail(check.output)).toBe(0);
  });

  describe('site.yml on a fresh Debian 12 chroot', () => {
    let workDir = '';
    let chroot = '';
    let inventory = '';
    let extraVars = '';
    const timings: string[] = [];

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'mailyard-ansible-'));
      chroot = join(workDir, 'root');
      mkdirSync(chroot);
      const built = await buildRoot(chroot);
      timings.push(
        `root file system: ${built.seconds.toFixed(1)} s (${built.cached ? 'cached tarball' : 'debootstrap'})`,
      );
      // Package scripts must not start daemons inside the chroot (Debian's policy-rc.d convention).
      writeFileSync(join(chroot, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
      inventory = join(workDir, 'inventory.ini');
      writeFileSync(
        inventory,
        `[mailyard]\n${chroot} ansible_connection=community.general.chroot ansible_python_interpreter=/usr/bin/python3\n`,
      );
      extraVars = join(workDir, 'vars.json');
      const vars = {
        mailyard_chroot_test: true,
        mailyard_build: false,
        mailyard_hostname: 'mail.example.test',
        mailyard_domains: ['example.test'],
        mailyard_admin_email: 'postmaster@example.test',
        mailyard_ssh_authorized_keys: [TEST_KEY],
        mailyard_node_source: 'local',
        mailyard_node_local_archive: await nodeArchive(workDir),
        mailyard_source: 'local',
        mailyard_local_repo: root,
        mailyard_version: 'HEAD',
        mailyard_certificates_mode: 'acme',
        mailyard_backup_target: 's3',
        mailyard_backup_s3_bucket: 'mailyard-test',
        mailyard_backup_s3_access_key_id: 'test-key-id',
        mailyard_backup_s3_secret_access_key: 'test-secret',
        mailyard_master_key_backup_dir: join(workDir, 'secrets'),
      };
      writeFileSync(extraVars, JSON.stringify(vars));
    }, 15 * MINUTE);

    afterAll(() => {
      console.log(`ansible chroot test timings:\n  ${timings.join('\n  ')}`);
      if (workDir) removeChroot(workDir);
    });

    const playbook = () =>
      run('ansible-playbook', ['-i', inventory, '-e', `@${extraVars}`, 'site.yml'], {
        cwd: ansibleDir,
        env: ANSIBLE_ENV,
      });

    test(
      'the first run succeeds',
      async () => {
        const first = await playbook();
        timings.push(`first run: ${first.seconds.toFixed(1)} s`);
        const recap = recapOf(first.output);
        expect(first.code, tail(first.output)).toBe(0);
        expect(recap).toMatchObject({ failed: 0, unreachable: 0 });
        expect(recap?.changed).toBeGreaterThan(0);
      },
      15 * MINUTE,
    );

    test(
      'the second run changes nothing',
      async () => {
        const second = await playbook();
        timings.push(`second run: ${second.seconds.toFixed(1)} s`);
        expect(second.code, tail(second.output)).toBe(0);
        expect(changedTasks(second.output)).toEqual([]);
        expect(recapOf(second.output)).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
      },
      15 * MINUTE,
    );

    test('config.json is accepted by @mailyard/config', () => {
      const config = loadConfig({ file: join(chroot, 'etc/mailyard/config.json'), env: {} });
      expect(config.hostname).toBe('mail.example.test');
      expect(config.dataDir).toBe('/var/lib/mailyard/data');
      expect(config.bind).toBe('0.0.0.0');
      expect(config.smtp.mxPort).toBe(2525);
      expect(config.imap.tlsPort).toBe(2993);
      expect(config.tls).toEqual({
        keyPath: '/etc/mailyard/tls/privkey.pem',
        certPath: '/etc/mailyard/tls/fullchain.pem',
      });
      const env = readFileSync(join(chroot, 'etc/mailyard/mailyard.env'), 'utf8');
      expect(env).toContain('MAILYARD_CONFIG=/etc/mailyard/config.json\n');
      expect(env).toContain('MAILYARD_DATA_DIR=/var/lib/mailyard/data\n');
    });

    test('the data directory and master key belong to the mailyard user, with a copy on the controller', () => {
      const passwd = readFileSync(join(chroot, 'etc/passwd'), 'utf8');
      const entry = passwd.split('\n').find((line) => line.startsWith('mailyard:'));
      expect(entry, 'mailyard user').toBeDefined();
      const [, , uid, , , home, shell] = (entry ?? '').split(':');
      expect(Number(uid)).toBeLessThan(1000);
      expect(home).toBe('/var/lib/mailyard');
      expect(shell).toBe('/usr/sbin/nologin');
      const data = statSync(join(chroot, 'var/lib/mailyard/data'));
      expect(data.mode & 0o777).toBe(0o700);
      expect(data.uid).toBe(Number(uid));
      const key = statSync(join(chroot, 'var/lib/mailyard/data/keys/master.key'));
      expect(key.mode & 0o777).toBe(0o600);
      expect(key.uid).toBe(Number(uid));
      expect(key.size).toBe(32);
      const copy = join(workDir, 'secrets', 'mail.example.test-master.key');
      expect(statSync(copy).mode & 0o777).toBe(0o600);
      expect(readFileSync(copy).equals(readFileSync(join(chroot, 'var/lib/mailyard/data/keys/master.key')))).toBe(true);
    });

    test('the fail2ban filter bans the address of each failed login and nothing else', () => {
      const lines = [
        '{"level":40,"time":1764421200000,"pid":7,"hostname":"mail","component":"imap","cid":"k3","ip":"203.0.113.5","user":"bob@example.test","protocol":"imap","msg":"authentication failed"}',
        '{"level":40,"time":1764421201000,"pid":7,"msg":"authentication failed","protocol":"smtp","user":"x","ip":"::ffff:198.51.100.7"}',
        '{"level":40,"time":1764421202000,"pid":7,"ip":"2001:db8::1","user":"\\"ip\\":\\"192.0.2.99\\"","protocol":"pop3","msg":"authentication failed"}',
        '{"level":30,"time":1764421203000,"pid":7,"ip":"203.0.113.6","user":"bob","protocol":"imap","msg":"authentication succeeded"}',
        '{"level":30,"time":1764421204000,"pid":7,"ip":"203.0.113.9","user":"\\"msg\\":\\"authentication failed\\"","protocol":"api","msg":"login ok"}',
      ];
      writeFileSync(join(chroot, 'tmp/mailyard-auth.log'), `${lines.join('\n')}\n`);
      const matched = inChroot(chroot, [
        'fail2ban-regex',
        '--out',
        'ip',
        '/tmp/mailyard-auth.log',
        '/etc/fail2ban/filter.d/mailyard.conf',
      ]);
      expect(matched.code, matched.stdout).toBe(0);
      expect(matched.stdout.trim().split('\n')).toEqual(['203.0.113.5', '198.51.100.7', '2001:db8::1']);
      const jail = readFileSync(join(chroot, 'etc/fail2ban/jail.d/mailyard.local'), 'utf8');
      expect(jail).toContain('logpath = /var/lib/mailyard/data/logs/mx.out.log');
      expect(existsSync(join(chroot, 'var/lib/mailyard/data/logs/imap.out.log'))).toBe(true);
    });

    test('the standard ports are redirected and the firewall admits only them, SSH and ACME', () => {
      const ports = readFileSync(join(chroot, 'etc/nftables.d/mailyard-ports.nft'), 'utf8');
      for (const [pub, local] of [
        [25, 2525],
        [465, 2465],
        [587, 2587],
        [993, 2993],
        [995, 2995],
        [4190, 24190],
      ]) {
        expect(ports).toContain(`tcp dport ${pub} redirect to :${local}`);
      }
      const firewall = readFileSync(join(chroot, 'etc/nftables.conf'), 'utf8');
      expect(firewall).toContain('policy drop;');
      expect(firewall).toContain('ct status dnat accept');
      expect(firewall).toContain('tcp dport 22 accept');
      expect(firewall).toContain('include "/etc/nftables.d/*.nft"');
      // nft --check needs the kernel's netlink (CAP_NET_ADMIN); where a probe shows it works, check the real rules.
      const probe = inChroot(chroot, ['nft', '--check', '--file', '-'], 'table inet mailyard_probe {}\n');
      if (probe.code !== 0) {
        console.log(`skipping nft --check: no netlink access here (${probe.stdout.trim()})`);
        return;
      }
      const checked = inChroot(chroot, ['nft', '--check', '--file', '/etc/nftables.conf']);
      expect(checked.code, checked.stdout).toBe(0);
    });

    test('SSH, kernel and upgrade hardening files are in place', () => {
      const keys = readFileSync(join(chroot, 'root/.ssh/authorized_keys'), 'utf8');
      expect(keys).toContain(TEST_KEY);
      const sshd = readFileSync(join(chroot, 'etc/ssh/sshd_config.d/00-mailyard.conf'), 'utf8');
      expect(sshd).toMatch(/^PasswordAuthentication no$/m);
      expect(sshd).toMatch(/^PermitRootLogin prohibit-password$/m);
      expect(readFileSync(join(chroot, 'etc/modprobe.d/mailyard-usb-storage.conf'), 'utf8')).toMatch(
        /^install usb_storage \/bin\/false$/m,
      );
      expect(readFileSync(join(chroot, 'etc/fstab'), 'utf8')).not.toMatch(/^[^#].*\sswap\s/m);
      const hardening = readFileSync(join(chroot, 'etc/sysctl.d/60-mailyard-hardening.conf'), 'utf8');
      expect(hardening).toMatch(/^fs\.suid_dumpable = 0$/m);
      expect(hardening).toMatch(/^net\.ipv4\.tcp_syncookies = 1$/m);
      const sqlite = readFileSync(join(chroot, 'etc/sysctl.d/61-mailyard-sqlite.conf'), 'utf8');
      expect(sqlite).toMatch(/^fs\.inotify\.max_user_watches = 524288$/m);
      const unit = readFileSync(join(chroot, 'etc/systemd/system/pm2-mailyard.service'), 'utf8');
      expect(unit).toMatch(/^LimitNOFILE=65536$/m);
      expect(unit).toMatch(/^User=mailyard$/m);
      expect(readFileSync(join(chroot, 'etc/apt/apt.conf.d/20auto-upgrades'), 'utf8')).toContain(
        'APT::Periodic::Unattended-Upgrade "1";',
      );
      const rclone = statSync(join(chroot, 'var/lib/mailyard/.config/rclone/rclone.conf'));
      expect(rclone.mode & 0o777).toBe(0o600);
      expect(existsSync(join(chroot, 'etc/systemd/system/mailyard-backup-ship.timer'))).toBe(true);
      for (const script of ['/etc/letsencrypt/renewal-hooks/deploy/mailyard', '/usr/local/sbin/mailyard']) {
        const parsed = inChroot(chroot, ['sh', '-n', script]);
        expect(parsed.code, `${script}: ${parsed.stdout}`).toBe(0);
      }
    });

    test('the deployed source is the work tree HEAD', () => {
      const head = spawnSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
      const deployed = inChroot(chroot, ['git', '-C', '/opt/mailyard/app', 'rev-parse', 'HEAD']);
      expect(deployed.code, deployed.stdout).toBe(0);
      expect(deployed.stdout.trim()).toBe(head);
      expect(existsSync(join(chroot, 'opt/mailyard/app/ecosystem.config.cjs'))).toBe(true);
    });
  });
});

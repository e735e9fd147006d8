import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Finds an executable that a Debian package provides (nginx, caddy, promtool). When it is missing and the
 * tests run as root (CI containers), the package is installed with apt-get; otherwise the test
 * fails with the command to run. Never a skip: a proxy test that does nothing would hide a broken
 * deployment guide.
 */

/** Where a Debian package puts its executable; searched besides PATH (sbin is not on every PATH). */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** A binary the tests need and the Debian package that provides it. */
export interface DebianBinary {
  name: string;
  debianPackage: string;
}

export const NGINX: DebianBinary = { name: 'nginx', debianPackage: 'nginx' };
export const CADDY: DebianBinary = { name: 'caddy', debianPackage: 'caddy' };
export const PROMTOOL: DebianBinary = { name: 'promtool', debianPackage: 'prometheus' };
export const OPENSSL: DebianBinary = { name: 'openssl', debianPackage: 'openssl' };

export interface FindBinaryOptions {
  /** Directories searched, in order (default: PATH, then the system directories). */
  dirs?: readonly string[];
  /** Whether a missing package may be installed (default: running as root). */
  mayInstall?: boolean;
}

/** The absolute path of an executable `name` in `dirs`, or undefined. */
export function locateExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory (or not executable): try the next one.
    }
  }
  return undefined;
}

/** Finds each binary, installing the missing packages in one apt-get run when allowed. */
export function findDebianBinaries(
  binaries: readonly DebianBinary[],
  options: FindBinaryOptions = {},
): string[] {
  const dirs = options.dirs ?? [
    ...(process.env.PATH ?? '').split(':').filter(Boolean),
    ...SYSTEM_DIRS,
  ];
  const missing = binaries.filter((binary) => locateExecutable(binary.name, dirs) === undefined);
  if (missing.length > 0) {
    const packages = missing.map((binary) => binary.debianPackage);
    const mayInstall = options.mayInstall ?? process.getuid?.() === 0;
    if (!mayInstall) {
      throw new Error(
        `${missing.map((binary) => binary.name).join(' and ')} not found (searched ${dirs.join(':')}). ` +
          `Install Debian's packages (sudo apt-get install -y ${packages.join(' ')}) or run .ci/run ` +
          'as root, which installs them.',
      );
    }
    installDebianPackages(packages);
  }
  return binaries.map((binary) => {
    const path = locateExecutable(binary.name, dirs);
    if (path === undefined) {
      throw new Error(
        `${binary.name} still not found after apt-get install ${binary.debianPackage}`,
      );
    }
    return path;
  });
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * `apt-get install` without prompts. The packages' scripts would start a system nginx and a
 * system Caddy, both on port 80: the second one fails and with it the install. A temporary
 * policy-rc.d (exit 101, "action forbidden") keeps services from starting during the install;
 * an existing one is left alone.
 */
export function installDebianPackages(packages: readonly string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: 'inherit' });
  } finally {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  }
}

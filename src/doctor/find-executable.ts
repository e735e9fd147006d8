import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** True when `path` is a regular file this user may execute. */
function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    // ENOENT, EACCES, ENOTDIR: not an executable we could run.
    return false;
  }
}

/**
 * Whether `name` would start: a name containing a slash is a path (relative to `cwd`), any other
 * name is looked up in the directories of `pathVariable` as execvp does.
 */
export function findExecutable(
  name: string,
  pathVariable: string | undefined,
  cwd: string,
): boolean {
  if (name.includes('/')) return isExecutableFile(isAbsolute(name) ? name : resolve(cwd, name));
  return (pathVariable ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => isExecutableFile(join(dir, name)));
}

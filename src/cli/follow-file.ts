import { type FileHandle, open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  /** Start at the beginning instead of the end. */
  readonly fromStart?: boolean | undefined;
  /** How often (ms) to look for new bytes, truncation and rotation. */
  readonly pollMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called once the file is open and the starting position fixed: lines appended after count. */
  readonly onStart?: (() => void) | undefined;
}

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;

/**
 * The lines appended to a file, as `tail -F` sees them: it survives truncation (copytruncate)
 * and rotation (the name points at a new file, whose lines follow the old file's last ones),
 * and waits for a file that does not exist yet. A line is yielded once it ends in a newline;
 * the reader asks for the next only after handling this one, so the file itself is the
 * buffer while a consumer is slow or its hub is down.
 */
export async function* followLines(path: string, options: FollowOptions = {}) {
  const pollMs = options.pollMs ?? 250;
  const signal = options.signal;
  const wait = () =>
    sleep(pollMs, undefined, { signal }).then(
      () => true,
      () => false,
    );

  let handle: FileHandle | undefined;
  try {
    handle = await openWhenThere(path, wait);
    if (handle === undefined) return;
    let ino = (await handle.stat()).ino;
    let pos = options.fromStart ? 0 : (await handle.stat()).size;
    options.onStart?.();
    let pending = Buffer.alloc(0);

    while (signal?.aborted !== true) {
      const size = (await handle.stat()).size;
      if (size < pos) {
        // Truncated in place: what is there now is new.
        pos = 0;
        pending = Buffer.alloc(0);
      }
      if (size > pos) {
        const chunk = Buffer.alloc(Math.min(size - pos, CHUNK));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, pos);
        pos += bytesRead;
        pending =
          pending.length === 0
            ? chunk.subarray(0, bytesRead)
            : Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
        let end = pending.indexOf(NEWLINE);
        while (end >= 0) {
          const line = pending.subarray(0, end).toString('utf8');
          pending = pending.subarray(end + 1);
          yield line.endsWith('\r') ? line.slice(0, -1) : line;
          end = pending.indexOf(NEWLINE);
        }
        continue;
      }
      const now = await stat(path).catch(() => undefined);
      if (now !== undefined && now.ino !== ino) {
        // Rotated, and the old file is read to its end: its unterminated last line is a line.
        if (pending.length > 0) yield pending.toString('utf8');
        await handle.close();
        handle = await open(path, 'r');
        ino = (await handle.stat()).ino;
        pos = 0;
        pending = Buffer.alloc(0);
        continue;
      }
      if (!(await wait())) return;
    }
  } finally {
    await handle?.close();
  }
}

async function openWhenThere(path: string, wait: () => Promise<boolean>) {
  for (;;) {
    try {
      return await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!(await wait())) return undefined;
    }
  }
}

/** Per-operation deadlines. Every timer set here is cleared or unreferenced, so none keeps a process alive. */
import { TimeoutError } from '@mailyard/errors';

/**
 * Settles like `work`, or rejects with TimeoutError(what, ms) after `ms`. Pass a function to receive an
 * AbortSignal that fires (with the TimeoutError as reason) when the time is up, so the work itself can stop.
 */
export async function withTimeout<T>(
  work: Promise<T> | ((signal: AbortSignal) => Promise<T>),
  ms: number,
  what: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(what, ms);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    const running = typeof work === 'function' ? work(controller.signal) : work;
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** An AbortSignal that aborts with TimeoutError(what, ms) after `ms`; its timer does not hold the process open. */
export function deadline(ms: number, what = 'operation'): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new TimeoutError(what, ms)), ms).unref();
  return controller.signal;
}

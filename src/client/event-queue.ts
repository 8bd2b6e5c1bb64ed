/**
 * Buffers pushed values for one `for await` loop. Values pushed before `end` are all yielded,
 * then the loop ends, or throws when it ended with an error.
 */
export interface EventQueue<T> extends AsyncIterator<T> {
  push(value: T): void;
  end(error?: Error): void;
}

export function createEventQueue<T>(onReturn: () => void): EventQueue<T> {
  const buffered: T[] = [];
  let head = 0;
  let waiting:
    | { resolve(result: IteratorResult<T>): void; reject(error: unknown): void }
    | undefined;
  let ended = false;
  let failure: Error | undefined;

  function settle(): void {
    if (waiting === undefined) return;
    const { resolve, reject } = waiting;
    if (head < buffered.length) {
      waiting = undefined;
      resolve({ value: take(), done: false });
    } else if (ended) {
      waiting = undefined;
      if (failure === undefined) resolve({ value: undefined, done: true });
      else {
        reject(failure);
        failure = undefined;
      }
    }
  }

  function take(): T {
    const value = buffered[head] as T;
    buffered[head++] = undefined as T;
    // Compacts now and then, so a long stream does not keep a growing array of holes.
    if (head > 1024 && head * 2 > buffered.length) {
      buffered.splice(0, head);
      head = 0;
    }
    return value;
  }

  return {
    push(value) {
      if (ended) return;
      buffered.push(value);
      settle();
    },
    end(error) {
      if (ended) return;
      ended = true;
      failure = error;
      settle();
    },
    next() {
      if (head < buffered.length) return Promise.resolve({ value: take(), done: false });
      if (ended) {
        const error = failure;
        failure = undefined;
        return error === undefined
          ? Promise.resolve({ value: undefined, done: true })
          : Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return() {
      ended = true;
      buffered.length = 0;
      head = 0;
      settle();
      onReturn();
      return Promise.resolve({ value: undefined, done: true });
    },
  };
}

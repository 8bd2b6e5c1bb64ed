const ERROR_BODY_CHARS = 1024;

/** The hub sends `{"reason":"…"}`; any other server's reset data is passed on as it is. */
export function resetReason(data: string): string {
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === 'object' && parsed !== null && 'reason' in parsed) {
      return String(parsed.reason);
    }
  } catch {
    // Not JSON: the data itself is the reason.
  }
  return data;
}

/** The start of an error body: enough for the message, without waiting on an endless one. */
export async function bodyStart(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < ERROR_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
  } catch {
    // Whatever arrived is still worth showing.
  }
  return text.slice(0, ERROR_BODY_CHARS);
}

export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing more is wanted from it.
  }
}

import { z } from 'zod';
import type { EventFields, PublishInput } from '../hub/index.js';
import type { ParsedBody } from './body.js';
import { HttpError } from './errors.js';

// Form bodies carry every value as a string; JSON bodies carry real types. Both are accepted.
const retry = z.union([
  z.number(),
  z
    .string()
    .regex(/^[0-9]+$/, 'must be digits')
    .transform(Number),
]);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);
const stringList = z.union([z.string().transform((s) => [s]), z.array(z.string())]);

const fieldShape = {
  data: z.unknown().optional(),
  event: z.string().optional(),
  id: z.string().optional(),
  retry: retry.optional(),
};
const publishSchema = z.strictObject({
  ...fieldShape,
  topic: stringList.optional(),
  topics: stringList.optional(),
  broadcast: flag.optional(),
  private: flag.optional(),
});
const fieldsSchema = z.strictObject(fieldShape);

function check<T>(schema: z.ZodType<T>, body: ParsedBody): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `"${issue.path.join('.')}": ` : '';
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field(s) ${issue.keys.join(', ')}`
      : issue.message;
  throw new HttpError(400, 'invalid_body', `${where}${message}`);
}

function fieldsOf(parsed: z.infer<typeof fieldsSchema>): EventFields {
  if (parsed.data === undefined) throw new HttpError(400, 'missing_data', '"data" is required');
  return { data: parsed.data, event: parsed.event, id: parsed.id, retry: parsed.retry };
}

/** `POST /publish` body → hub input: `topic`, `topics` or `broadcast`, plus event fields. */
export function toPublishInput(body: ParsedBody): PublishInput {
  const parsed = check(publishSchema, body);
  const { topic, topics, broadcast, private: isPrivate, ...rest } = parsed;
  const fields = fieldsOf(rest);
  const all = [...(topic ?? []), ...(topics ?? [])];
  if (broadcast === true) {
    if (all.length > 0) {
      throw new HttpError(400, 'invalid_body', 'give topics or "broadcast": true, not both');
    }
    if (isPrivate === true) {
      throw new HttpError(400, 'invalid_body', 'a broadcast cannot be private: name its topics');
    }
    return { ...fields, broadcast: true };
  }
  if (all.length === 0) {
    throw new HttpError(
      400,
      'missing_topic',
      '"topic" or "topics" is required (or "broadcast": true)',
    );
  }
  return { ...fields, topics: all, private: isPrivate };
}

/** `POST /clients/{id}/events` body → event fields (no topics). */
export function toEventFields(body: ParsedBody): EventFields {
  return fieldsOf(check(fieldsSchema, body));
}

/**
 * The text of a prompt or completion as reward functions receive it: a plain string (standard
 * format) or a list of chat messages (TRL's conversational format, `[{ role, content }]`, where
 * `content` is a string or a list of parts such as `{ type: 'text', text }`).
 */

/** A chat message as trainers pass it to reward functions. */
export interface ChatMessage {
  readonly role: string;
  readonly content: unknown;
}

function isMessage(value: unknown): value is ChatMessage {
  return typeof value === 'object' && value !== null && typeof (value as { role?: unknown }).role === 'string';
}

/** The text of one message's `content`: a string, or the `text` of its text parts joined. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let text = '';
  let found = false;
  for (const part of content as readonly unknown[]) {
    if (typeof part === 'string') {
      text += part;
      found = true;
    } else if (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string') {
      text += (part as { text: string }).text;
      found = true;
    }
  }
  return found ? text : undefined;
}

/**
 * The completion's text: the string itself, or for a chat completion the content of its
 * `assistant` messages joined by newlines (TRL passes `[{ role: 'assistant', content }]`).
 * Returns `undefined` for anything else (or a chat list without an assistant message), so a
 * caller never measures the wrong text.
 *
 * @example completionText([{ role: 'assistant', content: '42' }]) // '42'
 */
export function completionText(completion: unknown): string | undefined {
  if (typeof completion === 'string') return completion;
  if (!Array.isArray(completion)) return isMessage(completion) ? assistantContent([completion]) : undefined;
  return assistantContent(completion as readonly unknown[]);
}

function assistantContent(messages: readonly unknown[]): string | undefined {
  let text: string | undefined;
  for (const message of messages) {
    if (!isMessage(message) || message.role !== 'assistant') continue;
    const content = contentText(message.content);
    if (content === undefined) continue;
    text = text === undefined ? content : `${text}\n${content}`;
  }
  return text;
}

/**
 * The prompt's text: the string itself, or for a chat prompt every message as `role: content`
 * on its own line (system and user turns both matter for telling prompts apart).
 *
 * @example promptText([{ role: 'user', content: '2+2?' }]) // 'user: 2+2?'
 */
export function promptText(prompt: unknown): string | undefined {
  if (typeof prompt === 'string') return prompt;
  if (!Array.isArray(prompt)) return undefined;
  const lines: string[] = [];
  for (const message of prompt as readonly unknown[]) {
    if (!isMessage(message)) continue;
    const content = contentText(message.content);
    if (content !== undefined) lines.push(`${message.role}: ${content}`);
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

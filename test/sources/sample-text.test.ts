import { describe, expect, it } from 'vitest';
import { completionText, promptText } from '../../src/sources/sample-text.js';

describe('completionText', () => {
  it('reads strings and the assistant content of TRL conversational completions', () => {
    expect(completionText('plain')).toBe('plain');
    expect(completionText([{ role: 'assistant', content: '42' }])).toBe('42');
    expect(completionText({ role: 'assistant', content: 'single message' })).toBe('single message');
    expect(completionText([{ role: 'assistant', content: 'a' }, { role: 'tool', content: 'x' }, { role: 'assistant', content: 'b' }])).toBe('a\nb');
  });

  it('joins the text parts of multimodal content and skips other parts', () => {
    expect(completionText([{ role: 'assistant', content: [{ type: 'text', text: 'see ' }, { type: 'image' }, { type: 'text', text: 'this' }] }])).toBe('see this');
  });

  it('returns undefined rather than guessing: no assistant message, or not text at all', () => {
    expect(completionText([{ role: 'user', content: 'question' }])).toBeUndefined();
    expect(completionText(42)).toBeUndefined();
    expect(completionText(undefined)).toBeUndefined();
    expect(completionText([{ role: 'assistant', content: 7 }])).toBeUndefined();
  });
});

describe('promptText', () => {
  it('reads strings, and chat prompts as role-prefixed lines', () => {
    expect(promptText('2+2?')).toBe('2+2?');
    expect(promptText([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '2+2?' }])).toBe('system: Be brief.\nuser: 2+2?');
    expect(promptText([])).toBeUndefined();
    expect(promptText({ text: 'not a prompt' })).toBeUndefined();
  });
});

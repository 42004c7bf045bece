import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The emails users sends; each has `<name>.subject.txt`, `<name>.txt` and `<name>.html` in templates/. */
export type TemplateName = 'password-reset' | 'verify-email';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

// templates/ sits next to src/ and dist/, so this resolves the same from both.
const TEMPLATE_DIR = join(__dirname, '..', '..', 'templates');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const cache = new Map<string, string>();

function load(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(join(TEMPLATE_DIR, file), 'utf8');
    cache.set(file, text);
  }
  return text;
}

/**
 * Fills `{{key}}` placeholders. Every value is escaped in the HTML part (a user's name is
 * theirs to choose, so `<a href=...>` in it must stay text), and line breaks are folded
 * in the subject (a header must not gain lines).
 */
function fill(template: string, values: Record<string, string>, escape: (v: string) => string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template value ${key} missing`);
    return escape(value);
  });
}

export function renderEmail(name: TemplateName, values: Record<string, string>): RenderedEmail {
  return {
    subject: fill(load(`${name}.subject.txt`), values, (v) => v).replace(/\s+/g, ' ').trim(),
    text: fill(load(`${name}.txt`), values, (v) => v),
    html: fill(load(`${name}.html`), values, escapeHtml),
  };
}

/** "1 hour", "24 hours", "30 minutes": how long a link works, in words. */
export function durationInWords(seconds: number): string {
  const [amount, unit] = seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : [Math.max(1, Math.round(seconds / 60)), 'minute'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

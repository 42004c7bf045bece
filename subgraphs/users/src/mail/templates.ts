import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The emails users sends; each has `<name>.subject.txt`, `<name>.txt` and `<name>.html` in templates/. */
export type TemplateName =
  | 'password-reset'
  | 'verify-email'
  | 'order-confirmed'
  | 'order-failed'
  | 'order-cancelled'
  | 'order-shipped';

/**
 * What fills a template: a string for `{{key}}`, a list for a section
 * `{{#key}}...{{/key}}`, repeated once per element with that element's keys (an empty
 * list drops the section, a list of one `{}` keeps it once: a conditional paragraph).
 */
export type TemplateValues = { [key: string]: string | TemplateValues[] };

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

/** A section (its tags on lines of their own lose those line breaks) or a placeholder. */
const TOKEN = /\{\{#(\w+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?|\{\{(\w+)\}\}/g;

/**
 * Fills `{{key}}` placeholders and `{{#key}}...{{/key}}` sections in one pass over the
 * template (a value is never read as template: a product named "{{total}}" stays that
 * text). Every value is escaped in the HTML part (a user's name, a product's name are
 * others' to choose, so `<a href=...>` in them must stay text), and line breaks are
 * folded in the subject (a header must not gain lines). Words live in the template
 * files; code only chooses which sections appear.
 */
function fill(template: string, values: TemplateValues, escape: (v: string) => string): string {
  return template.replace(TOKEN, (_, section: string | undefined, inner: string | undefined, key: string | undefined) => {
    if (section !== undefined) {
      const list = values[section];
      if (!Array.isArray(list)) throw new Error(`template section ${section} needs a list`);
      return list.map((element) => fill(inner ?? '', { ...values, ...element }, escape)).join('');
    }
    const value = values[key!];
    if (typeof value !== 'string') throw new Error(`template value ${key} missing`);
    return escape(value);
  });
}

export function renderEmail(name: TemplateName, values: TemplateValues): RenderedEmail {
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

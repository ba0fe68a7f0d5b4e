// Syntax highlighting at build time (highlight.js), so pages need no script
// to colour code. Only the languages the lessons use are loaded: it keeps the
// build fast. An unknown language is shown as plain, escaped text.

import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import go from 'highlight.js/lib/languages/go';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import plaintext from 'highlight.js/lib/languages/plaintext';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { escapeHtml } from './html.ts';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('go', go);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('plaintext', plaintext);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('yaml', yaml);

/** Highlighted HTML for `code` (escaped plain text when the language is unknown). */
export function highlight(code: string, language: string): string {
  if (language && hljs.getLanguage(language)) return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  return escapeHtml(code);
}

/** The code block a page shows: highlighted, with a copy button that the page script turns on. */
export function codeBlock(code: string, language: string, caption?: string): string {
  const lang = hljs.getLanguage(language) ? language : 'plaintext';
  const block = `<div class="code-block"><button type="button" class="copy" hidden>Copy</button>`
    + `<pre><code class="hljs language-${escapeHtml(lang)}">${highlight(code, language)}</code></pre></div>\n`;
  if (!caption) return block;
  return `<figure class="code-include"><figcaption><code>${escapeHtml(caption)}</code></figcaption>${block}</figure>\n`;
}

import type { Block, Inline } from './markdown.js';

/** Channels whose replies are converted from Markdown (the web chat and /webhook keep it). */
export type FormattedChannel = 'slack' | 'whatsapp' | 'telegram';

/** How one channel writes spans and blocks. */
export interface ChannelStyle {
  escape(text: string): string;
  inline(span: Exclude<Inline, { kind: 'text' }>): string;
  code(lang: string, text: string): string;
  heading(rendered: string): string;
  item: string;
}

const escapeSlack = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Slack mrkdwn: https://api.slack.com/reference/surfaces/formatting */
const slack: ChannelStyle = {
  escape: escapeSlack,
  inline(span) {
    const text = escapeSlack(span.text);
    switch (span.kind) {
      case 'bold':
        return `*${text}*`;
      case 'italic':
        return `_${text}_`;
      case 'strike':
        return `~${text}~`;
      case 'code':
        return `\`${text}\``;
      case 'link':
        // `|` and `>` would end the link early.
        return `<${escapeSlack(span.url).replaceAll('|', '%7C')}|${text.replaceAll('|', '¦')}>`;
    }
  },
  code: (_lang, text) => `\`\`\`\n${escapeSlack(text)}\n\`\`\``,
  heading: (rendered) => `*${rendered}*`,
  item: '• ',
};

/** WhatsApp: https://faq.whatsapp.com/539178204879377 (no escaping exists). */
const whatsapp: ChannelStyle = {
  escape: (text) => text,
  inline(span) {
    switch (span.kind) {
      case 'bold':
        return `*${span.text}*`;
      case 'italic':
        return `_${span.text}_`;
      case 'strike':
        return `~${span.text}~`;
      case 'code':
        return `\`${span.text}\``;
      case 'link':
        return `${span.text} (${span.url})`;
    }
  },
  code: (_lang, text) => `\`\`\`\n${text}\n\`\`\``,
  heading: (rendered) => `*${rendered}*`,
  item: '• ',
};

/** Telegram `parse_mode: HTML`, only the tags the Bot API allows; all other text escaped. */
const telegram: ChannelStyle = {
  escape: escapeHtml,
  inline(span) {
    const text = escapeHtml(span.text);
    switch (span.kind) {
      case 'bold':
        return `<b>${text}</b>`;
      case 'italic':
        return `<i>${text}</i>`;
      case 'strike':
        return `<s>${text}</s>`;
      case 'code':
        return `<code>${text}</code>`;
      case 'link':
        return `<a href="${escapeHtml(span.url).replaceAll('"', '&quot;')}">${text}</a>`;
    }
  },
  code: (lang, text) =>
    lang === ''
      ? `<pre>${escapeHtml(text)}</pre>`
      : `<pre><code class="language-${escapeHtml(lang)}">${escapeHtml(text)}</code></pre>`,
  heading: (rendered) => `<b>${rendered}</b>`,
  item: '• ',
};

/** The plain-text fallback (Telegram without parse_mode): markers dropped, links as text (url). */
export const plainStyle: ChannelStyle = {
  escape: (text) => text,
  inline: (span) => (span.kind === 'link' ? `${span.text} (${span.url})` : span.text),
  code: (_lang, text) => text,
  heading: (rendered) => rendered,
  item: '• ',
};

export const CHANNEL_STYLES: Readonly<Record<FormattedChannel, ChannelStyle>> = {
  slack,
  whatsapp,
  telegram,
};

/** One span as the style writes it. */
export function renderInline(style: ChannelStyle, span: Inline): string {
  return span.kind === 'text' ? style.escape(span.text) : style.inline(span);
}

/** One block as the style writes it. */
export function renderBlock(style: ChannelStyle, block: Block): string {
  if (block.kind === 'code') return style.code(block.lang, block.text);
  const body = block.inlines.map((span) => renderInline(style, span)).join('');
  if (block.style === 'heading') return style.heading(body);
  return block.style === 'item' ? `${style.item}${body}` : body;
}
